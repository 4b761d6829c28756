// Package app is the composition root: it builds every dependency once,
// wires modules together and registers their routes. It holds no business
// rules.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/db"
	"onramp/app/devidp"
	"onramp/app/jobs"
	"onramp/app/pubsub"
	"onramp/app/render"
	"onramp/app/server"
	"onramp/app/storage"
	"onramp/assets"
	"onramp/modules/audit"
	"onramp/modules/cohorts"
	"onramp/modules/content"
	"onramp/modules/identity"
	"onramp/modules/learning"
	"onramp/modules/mentoring"
	"onramp/modules/messaging"
	"onramp/modules/messaging/detect"
	"onramp/modules/monitoring"
	"onramp/modules/notify"
	"onramp/modules/outcomes"
	"onramp/modules/workbook"
)

// Auth asks identity who a bearer token is: identity owns service tokens
// and the accounts an identity provider's access tokens name.
var _ auth.Tokens = (*identity.Service)(nil)

// Cohorts asks identity to provision the people an import adds: identity
// owns the users table.
var _ cohorts.People = (*identity.Service)(nil)

// Mentoring asks identity to provision an invited mentor, check their
// verified email and grant them the mentor role: identity owns people
// and roles.
var _ mentoring.People = (*identity.Service)(nil)

// Outcomes reminds managers of follow-ups through notify, mentoring
// tells people about their mentorships through it, and notify enqueues
// its emails on the job queue. Mentoring shows a mentor their mentee's
// progress through learning, never learning's tables; learning tells
// mentoring when someone finishes a programme (the mentor induction
// records a mentor's safeguarding training).
var (
	_ outcomes.Notifier    = (*notify.Service)(nil)
	_ mentoring.Notifier   = (*notify.Service)(nil)
	_ cohorts.Notifier     = (*notify.Service)(nil)
	_ notify.Queue         = (*jobs.Jobs)(nil)
	_ mentoring.Learning   = (*learning.Service)(nil)
	_ learning.Completions = (*mentoring.Service)(nil)
	_ learning.Mentors     = (*mentoring.Service)(nil)
	_ learning.Mentees     = (*mentoring.Service)(nil)
	_ mentoring.News       = (*outcomes.Service)(nil)
)

// The workbook keeps learners' answers to lessons' "Try this" for
// learning, asks mentoring (as learning does) whose mentor someone is, and
// records each mentor's read in the audit log.
var (
	_ learning.TryThis  = (*workbook.Service)(nil)
	_ workbook.Mentees  = (*mentoring.Service)(nil)
	_ workbook.Recorder = (*audit.Log)(nil)
)

// Messaging asks mentoring about mentorships (who is in one, whether it
// is active, who may see it), tells people through notify, records
// every message, review and case action in the audit log, and scans
// with the detector before anyone else sees a message.
var (
	_ messaging.Mentorships    = (*mentoring.Service)(nil)
	_ messaging.Notifier       = (*notify.Service)(nil)
	_ messaging.Recorder       = (*audit.Log)(nil)
	_ messaging.Scanner        = (*detect.Detector)(nil)
	_ mentoring.UnreadMessages = (*messaging.Service)(nil)
)

// Periodic jobs, by name: reminding managers of follow-ups falling due,
// and mentoring's sweep (six-month ends, check-in prompts, vetting
// falling due).
const (
	FollowUpRemindersJob = "outcomes.follow_up_reminders"
	MentoringSweepJob    = "mentoring.sweep"
	// MessagingEscalateJob tells every safeguarding lead about held
	// messages and worries past their due time; MessagingRetentionJob
	// removes messages older than ONRAMP_MESSAGE_RETENTION.
	MessagingEscalateJob  = "messaging.escalate"
	MessagingRetentionJob = "messaging.retention"
	// IdempotencyExpiryJob removes Idempotency-Keys past their lifetime.
	IdempotencyExpiryJob = "auth.idempotency_expiry"
	// StorageSweepJob aborts partial uploads left in the media store.
	StorageSweepJob = "storage.sweep"
)

// UploadAbandonedAfter is how old a partial upload must be before the
// storage sweep removes it: older than any upload still within its
// budget, with an hour to spare.
func UploadAbandonedAfter(cfg config.Config) time.Duration {
	return cfg.UploadTimeout + cfg.RequestTimeout + time.Hour
}

// DefaultMessageRetention is how long messages are kept when
// ONRAMP_MESSAGE_RETENTION is not set: seven years.
const DefaultMessageRetention = 7 * 8760 * time.Hour

// Options are the seams tests use; production leaves them zero.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
	// DiscoveryRetryMin and DiscoveryRetryMax bound how often a missing
	// identity provider is looked for again.
	DiscoveryRetryMin, DiscoveryRetryMax time.Duration
	// MediaCheckInterval is how often the media store is checked; 15 s
	// when zero.
	MediaCheckInterval time.Duration
	// JobPollInterval is how often the job queue looks for work it was
	// not told about; 1 s when zero.
	JobPollInterval time.Duration
	// JobsTestOnly starts and stops the job queue without River's
	// production start-up jitter.
	JobsTestOnly bool
}

// App is a built Onramp: the HTTP handler and what it was built from.
type App struct {
	Config   config.Config
	DB       *db.DB
	Echo     *echo.Echo
	Routes   *auth.Routes
	Auth     *auth.Auth
	DevIdP   *devidp.Provider // nil unless Config.DevIdP
	Identity *identity.Service
	Content  *content.Service
	Cohorts  *cohorts.Service
	Learning *learning.Service
	Outcomes *outcomes.Module
	Notify   *notify.Service
	// Jobs is the background job queue; Start starts it, Stop stops it.
	Jobs      *jobs.Jobs
	Mentoring *mentoring.Service
	Messaging *messaging.Service
	// Live fans message changes out to this process's event streams.
	Live *messaging.Hub
	// Notices is the process's one LISTEN connection (see pubsub).
	Notices *pubsub.Listener
	// Ready turns /readyz to 503 while the process shuts down.
	Ready *server.Readiness
	Media *storage.Health
	// Metrics serves /metrics; cmd/onramp puts it on ONRAMP_METRICS_ADDR,
	// never on the public address.
	Metrics http.Handler
}

// New builds the app over an open database. It does not contact the
// identity provider; call Start for that.
func New(cfg config.Config, d *db.DB, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MediaCheckInterval == 0 {
		o.MediaCheckInterval = 15 * time.Second
	}
	store, err := storage.Open(cfg.StorageURL, cfg.S3AccessKey, cfg.S3SecretKey)
	if err != nil {
		return nil, err
	}
	// Everything uses the store through its health monitor, so the first
	// failed call marks media unavailable, and every upload is recorded
	// until it ends, so the sweep can abort what an outage cut short.
	files := storage.NewHealth(storage.Track(store, d.Gorm, o.Now), o.MediaCheckInterval)
	static, err := render.NewStatic(assets.Static)
	if err != nil {
		return nil, err
	}
	pages, err := render.New(assets.Templates, static)
	if err != nil {
		return nil, err
	}
	if err := pages.AddPages("app", assets.Templates, "pages/*.html"); err != nil {
		return nil, err
	}

	proxies, err := cfg.TrustedProxyNets()
	if err != nil {
		return nil, err
	}
	reg := server.NewRegistry()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "onramp_storage_up", Help: "1 while the media store answers, 0 from its first failed call until it answers again.",
	}, func() float64 {
		if files.OK() {
			return 1
		}
		return 0
	}))
	e := server.New(server.Options{
		HTTPS: cfg.SecureCookies(), FormTargets: []string{origin(cfg.OIDCIssuerURL)},
		MediaOrigins: mediaOrigins(cfg.StorageURL), BodyLimit: cfg.BodyLimit,
		LargeBodyPaths: slices.Concat(content.UploadPaths, messaging.UploadPaths), LargeBodyLimit: fmt.Sprintf("%dM", content.MaxPackageMB+1),
		AuthRate: cfg.AuthRateLimit, AuthBurst: cfg.AuthRateBurst, TrustedProxies: proxies, Pages: pages, Metrics: reg,
		RequestTimeout: cfg.RequestTimeout, StreamPaths: messaging.StreamPaths, BodyTimeout: cfg.BodyTimeout,
		UploadTimeout: cfg.UploadTimeout, MaxPerClient: cfg.MaxConnsPerClient,
	})

	queue, err := jobs.New(d, jobs.Options{Now: o.Now, PollInterval: o.JobPollInterval, TestOnly: o.JobsTestOnly})
	if err != nil {
		return nil, err
	}
	mailer, err := notify.NewMailer(cfg.SMTPURL, cfg.From(), cfg.Mode == config.ModeDev)
	if err != nil {
		return nil, err
	}
	notes := notify.NewService(d, queue, o.Now)
	if err := jobs.Register(queue, notify.NewEmailWorker(d, mailer, cfg.BaseURL, o.Now)); err != nil {
		return nil, err
	}
	// The header's unread count (one indexed query per HTML page) and,
	// for a learner, the help block's link to their mentor (one more).
	var mentorOf learning.Mentors
	pages.OnPage(func(c echo.Context, v *render.Viewer) {
		u := auth.UserOf(c)
		if u == nil || server.RenderingError(c) {
			return
		}
		v.Unread, _ = notes.Unread(c.Request().Context(), u.ID)
		if u.Has(auth.RoleLearner) && mentorOf != nil {
			v.Help = &render.LearnerHelp{}
			v.Help.MentorName, v.Help.MentorshipID, _ = mentorOf.MentorOf(c.Request().Context(), u.ID)
		}
	})

	auditLog := audit.New(d.Gorm)
	people := identity.NewService(d, auditLog, o.Now)
	sessions := auth.NewSessions(d.Pool, auth.SessionOptions{AbsoluteTimeout: cfg.SessionAbsoluteTimeout, Secure: cfg.SecureCookies()})
	a := auth.New(auth.Options{
		IssuerURL: cfg.OIDCIssuerURL, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RolesClaim: cfg.OIDCRolesClaim, ExtraScopes: cfg.OIDCExtraScopes, BaseURL: cfg.BaseURL, Secure: cfg.SecureCookies(),
		APIAudience: cfg.APIAudience,
		IdleTimeout: cfg.SessionIdleTimeout, AbsoluteTimeout: cfg.SessionAbsoluteTimeout,
		RetryMin: o.DiscoveryRetryMin, RetryMax: o.DiscoveryRetryMax, Now: o.Now,
	}, people, sessions, d.Gorm)
	// The sign-out landing page and the back-channel logout take no CSRF
	// token (the latter is a signed token from the provider), nor do the
	// dev identity provider's own forms.
	routes := auth.NewRoutes(e, a, auth.RouteOptions{
		CSRFExempt: []string{"/auth/backchannel-logout", "/auth/signed-out", config.DevIssuerPath + "/*"},
		Admitted:   []echo.MiddlewareFunc{server.ReadableBody},
	})

	courses := content.NewService(d, files, auditLog, content.Limits{Video: cfg.MaxVideoMB << 20, Other: cfg.MaxFileMB << 20}, cfg.ContentCacheTTL, o.Now)
	outcomesModule, err := outcomes.New(d, pages, auditLog, o.Now)
	if err != nil {
		return nil, err
	}
	groups := cohorts.NewService(d, auditLog, outcomesModule.Service(), people, notes, cohorts.RiskRules{InactiveDays: cfg.AtRiskInactiveDays,
		FailedChecks: cfg.AtRiskFailedChecks, NotStartedDays: cfg.AtRiskNotStartedDays}, o.Now)
	learn := learning.NewService(d, courses.Catalogue(), groups, o.Now)
	mentors := mentoring.NewService(d, notes, learn, auditLog, o.Now)
	learn.SetCompletions(mentors)
	learn.SetMentors(mentors)
	learn.SetMentees(mentors)
	workbooks := workbook.NewService(d, mentors, auditLog, o.Now)
	learn.SetTryThis(workbooks)
	mentorOf = mentors
	mentors.SetNews(outcomesModule.Service())
	mentors.SetPeople(people)
	app := &App{Config: cfg, DB: d, Echo: e, Routes: routes, Auth: a, Identity: people,
		Content: courses, Cohorts: groups, Learning: learn, Mentoring: mentors, Media: files,
		Metrics: server.MetricsHandler(reg), Notify: notes, Jobs: queue, Ready: &server.Readiness{}}
	err = queue.Periodic(FollowUpRemindersJob, 24*time.Hour, func(ctx context.Context) error {
		return outcomesModule.Service().NotifyDueFollowUps(ctx, notes)
	})
	if err != nil {
		return nil, err
	}
	if err := queue.Periodic(MentoringSweepJob, time.Hour, mentors.Sweep); err != nil {
		return nil, err
	}
	if err := queue.Periodic(IdempotencyExpiryJob, time.Hour, a.RemoveExpiredIdempotencyKeys); err != nil {
		return nil, err
	}
	// Uploads cut short (the store or a replica died mid-upload) leave
	// partial uploads behind; any older than the longest an upload may
	// take are abandoned.
	err = queue.Periodic(StorageSweepJob, time.Hour, func(ctx context.Context) error {
		n, err := files.SweepIncomplete(ctx, o.Now().Add(-UploadAbandonedAfter(cfg)))
		if n > 0 {
			slog.InfoContext(ctx, "storage: removed abandoned partial uploads", "count", n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	scanner, err := detect.Default()
	if err != nil {
		return nil, err
	}
	workbooks.SetContactHider(func(text string) string { return scanner.HideContacts(text, workbook.HiddenContact) })
	app.Messaging = messaging.NewService(d, mentors, mentors, messaging.Attachments{Files: files, MaxBytes: cfg.MaxFileMB << 20}, notes, auditLog, scanner, o.Now)
	// One LISTEN connection for the process: live messages wake event
	// streams, content edits clear every replica's content cache.
	app.Notices = pubsub.New(d.Pool.Config().ConnConfig.Copy())
	app.Live = messaging.NewHub()
	if err := app.Notices.Handle(messaging.Channel, app.Live.Notified); err != nil {
		return nil, err
	}
	if err := app.Notices.Handle(content.Channel, courses.Catalogue().Notified); err != nil {
		return nil, err
	}
	if err := queue.Periodic(MessagingEscalateJob, 15*time.Minute, app.Messaging.Escalate); err != nil {
		return nil, err
	}
	err = queue.Periodic(MessagingRetentionJob, 24*time.Hour, func(ctx context.Context) error {
		retention := cfg.MessageRetention
		if retention <= 0 {
			retention = DefaultMessageRetention
		}
		return app.Messaging.RemoveExpired(ctx, retention)
	})
	if err != nil {
		return nil, err
	}

	// Sessions and the current user run for every page and API call;
	// static files, probes and the dev identity provider skip them. CSRF
	// is checked per route, once the route's rule has admitted the caller.
	noSession := []string{render.StaticPrefix, "/healthz", "/readyz", config.DevIssuerPath + "/"}
	e.Use(skipping(noSession, auth.LoadSessions(sessions)), skipping(noSession, a.LoadUser))

	server.HealthRoutes(routes, app.Ready, d.Ping, a.Ready)
	routes.GET(render.StaticPrefix+"*", auth.Public, static.Handle)
	routes.GET("/favicon.ico", auth.Public, func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, static.URL("favicon.svg"))
	})
	a.Routes(routes, pages)
	homeRoutes(routes, pages)
	infoRoutes(routes, pages, cfg)
	openAPIRoutes(routes)

	idm, err := identity.New(people, pages)
	if err != nil {
		return nil, err
	}
	idm.Routes(routes)
	auditPages, err := audit.NewModule(auditLog, pages)
	if err != nil {
		return nil, err
	}
	auditPages.Routes(routes)
	authoring, err := content.NewHandlers(courses, pages)
	if err != nil {
		return nil, err
	}
	authoring.Routes(routes)
	learnPages, err := learning.New(learn, pages, courses.Renderer(), app.Media.OK, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	learnPages.Routes(routes)
	cohortPages, err := cohorts.NewHandlers(groups, pages, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	cohortPages.Routes(routes)
	outcomesModule.Routes(routes)
	app.Outcomes = outcomesModule
	monitoringModule, err := monitoring.New(d, pages, auditLog, cfg.ReportMinPeople, o.Now)
	if err != nil {
		return nil, err
	}
	monitoringModule.Routes(routes)
	notifyPages, err := notify.New(notes, pages)
	if err != nil {
		return nil, err
	}
	notifyPages.Routes(routes)
	mentoringPages, err := mentoring.New(mentors, pages, app.Messaging)
	if err != nil {
		return nil, err
	}
	mentoringPages.Routes(routes)
	messagingPages, err := messaging.New(app.Messaging, app.Live, pages)
	if err != nil {
		return nil, err
	}
	messagingPages.Routes(routes)
	workbookPages, err := workbook.New(workbooks, pages)
	if err != nil {
		return nil, err
	}
	workbookPages.Routes(routes)

	if cfg.DevIdP {
		if app.DevIdP, err = newDevIdP(cfg, static, o.Now); err != nil {
			return nil, err
		}
		h := echo.WrapHandler(app.DevIdP)
		routes.GET(config.DevIssuerPath+"/*", auth.Public, h)
		routes.POST(config.DevIssuerPath+"/*", auth.Public, h)
	}
	return app, nil
}

// Start begins background work: discovering the identity provider,
// watching the media store, listening for live messages and content
// edits (waiting up to 5 s for the listener, so streams opened next miss
// nothing) and working the job queue. Errors: the job queue's, such as
// its tables missing.
func (a *App) Start(ctx context.Context) error {
	a.Auth.Discover(ctx)
	go a.Media.Run(ctx)
	go a.Notices.Run(ctx)
	select {
	case <-a.Notices.Ready():
	case <-time.After(5 * time.Second):
	}
	return a.Jobs.Start(ctx)
}

// Stop ends the live message streams and stops the job queue, letting
// running jobs finish until ctx ends (then they are cancelled and retried
// later, by any replica).
func (a *App) Stop(ctx context.Context) error {
	a.Live.Stop()
	return a.Jobs.Stop(ctx)
}

func newDevIdP(cfg config.Config, static *render.Static, now func() time.Time) (*devidp.Provider, error) {
	users := make([]devidp.User, len(identity.DemoPeople))
	for i, p := range identity.DemoPeople {
		users[i] = devidp.User{Subject: p.Subject, Email: p.Email, Name: p.Name, Roles: p.Roles}
	}
	for i := range cfg.DevLoadUsers {
		users = append(users, devidp.User{Subject: fmt.Sprintf("load-learner-%d", i), Email: LoadUserEmail(i),
			Name: identity.DemoLearnerName(i), Roles: []string{"learner"}})
	}
	return devidp.New(devidp.Config{
		Issuer: cfg.OIDCIssuerURL,
		Users:  users,
		Clients: []devidp.Client{{
			ID: cfg.OIDCClientID, Secret: cfg.OIDCClientSecret,
			RedirectURIs:           []string{cfg.BaseURL + "/auth/callback"},
			PostLogoutRedirectURIs: []string{cfg.BaseURL + "/auth/signed-out"},
			BackchannelLogoutURI:   cfg.BaseURL + "/auth/backchannel-logout",
		}},
		RolesClaim:    cfg.OIDCRolesClaim,
		StylesheetURL: static.URL("nhsuk/nhsuk.min.css"),
		Now:           now,
	})
}

// LoadUserEmail is the email of the i-th load-test learner.
func LoadUserEmail(i int) string { return fmt.Sprintf("load-learner-%d@example.org", i) }

// skipping runs mw except for requests whose path starts with a prefix.
func skipping(prefixes []string, mw echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		wrapped := mw(next)
		return func(c echo.Context) error {
			for _, p := range prefixes {
				if strings.HasPrefix(c.Request().URL.Path, p) {
					return next(c)
				}
			}
			return wrapped(c)
		}
	}
}

// mediaOrigins are the origins browsers fetch media from: the S3
// endpoint (or its public URL) that signed URLs point at.
func mediaOrigins(storageURL string) []string {
	if !strings.HasPrefix(storageURL, "s3://") {
		return nil
	}
	s3, err := storage.ParseS3URL(storageURL)
	if err != nil {
		return nil
	}
	if s3.PublicURL != "" {
		return []string{origin(s3.PublicURL)}
	}
	scheme := "https"
	if !s3.Secure {
		scheme = "http"
	}
	return []string{scheme + "://" + s3.Endpoint}
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return fmt.Sprintf("%s://%s", u.Scheme, u.Host)
}
