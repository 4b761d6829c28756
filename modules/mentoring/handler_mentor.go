package mentoring

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/dayinput"
)

// dateOf formats a date that may be missing.
func dateOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

var errForm = apperr.New(apperr.BadRequest, "The form could not be read. Try again.")

// homePage is the mentor's home with each thread's unread count.
type homePage struct {
	*MentorHome
	Unread map[string]int
}

func (m *Module) home(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.UserOf(c)
	h, err := m.svc.Home(ctx, u)
	if err != nil {
		return err
	}
	unread, err := m.unreadOf(ctx, u)
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "mentoring/home", "Mentoring", homePage{MentorHome: h, Unread: unread})
}

type profileForm struct {
	JobRole         string   `form:"job-role"`
	CareerFamily    string   `form:"career-family"`
	Employer        string   `form:"employer"`
	Region          string   `form:"region"`
	Languages       string   `form:"languages"`
	Interests       []string `form:"interests"`
	Availability    []string `form:"availability"`
	Capacity        string   `form:"capacity"`
	LivedExperience string   `form:"lived-experience"`
	Bio             string   `form:"bio"`
	Gender          string   `form:"gender"`
}

type profilePage struct {
	Form     ProfileInput
	Errors   []apperr.FieldError
	Saved    bool
	Families []Option
	Slots    []Option
	Genders  []Option
	Capacity []Option
}

func (m *Module) profile(c echo.Context) error {
	var in ProfileInput
	p, err := m.svc.MyProfile(c.Request().Context(), auth.UserOf(c))
	switch e := apperr.As(err); {
	case err == nil:
		in = ProfileInput{JobRole: p.JobRole, CareerFamily: p.CareerFamily, Employer: p.Employer, Region: p.Region,
			Languages: joinComma(p.Languages), Interests: p.Interests, Availability: p.Availability,
			Capacity: itoa(p.Capacity), LivedExperience: p.LivedExperience, Bio: p.Bio, Gender: p.Gender}
	case e.Kind != apperr.NotFound:
		return err
	}
	return m.renderProfile(c, http.StatusOK, in, nil)
}

func (m *Module) renderProfile(c echo.Context, status int, in ProfileInput, errs []apperr.FieldError) error {
	return m.pages.HTML(c, status, "mentoring/profile", "Your mentor profile", profilePage{Form: in, Errors: errs,
		Saved: c.QueryParam("saved") == "1", Families: CareerFamilies, Slots: Slots, Genders: Genders,
		Capacity: []Option{{"1", "1 mentee"}, {"2", "2 mentees"}, {"3", "3 mentees"}, {"4", "4 mentees"}, {"5", "5 mentees"},
			{"0", "Pause new matches (keep my current mentees)"}}})
}

func (m *Module) saveProfile(c echo.Context) error {
	var f profileForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	in := ProfileInput(f)
	err := m.svc.SaveProfile(c.Request().Context(), auth.UserOf(c), in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderProfile(c, http.StatusUnprocessableEntity, in, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/mentoring/profile?saved=1")
}

func (m *Module) mentors(c echo.Context) error {
	list, err := m.svc.Mentors(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "mentoring/mentors", "Mentors and their checks", list)
}

type vettingForm struct {
	DBS             string `form:"dbs-checked"`
	DBSDay          string `form:"dbs-day"`
	DBSMonth        string `form:"dbs-month"`
	DBSYear         string `form:"dbs-year"`
	UpdateService   string `form:"update-service"`
	TrainingDay     string `form:"training-day"`
	TrainingMonth   string `form:"training-month"`
	TrainingYear    string `form:"training-year"`
	ReferencesOK    string `form:"references-ok"`
	ApprovedUnder18 string `form:"approved-under-18"`
}

type vettingPage struct {
	Mentor   MentorState
	Form     vettingForm
	Conflict conflictForm
	Kinds    []Option
	Errors   []apperr.FieldError
	Saved    string
}

// conflictForm is the form declaring a learner and mentor must never be
// matched.
type conflictForm struct {
	LearnerEmail string `form:"learner-email"`
	Kind         string `form:"kind"`
	Reason       string `form:"conflict-reason"`
}

func (m *Module) vetting(c echo.Context) error {
	st, err := m.svc.Mentor(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	f := vettingFormOf(st)
	return m.renderVetting(c, http.StatusOK, vettingPage{Mentor: st, Form: f})
}

func (m *Module) renderVetting(c echo.Context, status int, p vettingPage) error {
	p.Kinds = ConflictKinds
	p.Saved = map[string]string{"1": "Vetting saved", "conflict": "Conflict recorded"}[c.QueryParam("saved")]
	return m.pages.HTML(c, status, "mentoring/vetting", "Vetting: "+p.Mentor.Name, p)
}

func (m *Module) declareConflict(c echo.Context) error {
	var f conflictForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	ctx, u := c.Request().Context(), auth.UserOf(c)
	err := m.svc.DeclareConflict(ctx, u, c.Param("id"), ConflictInput{LearnerEmail: f.LearnerEmail, Kind: f.Kind, Reason: f.Reason})
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		st, err := m.svc.Mentor(ctx, u, c.Param("id"))
		if err != nil {
			return err
		}
		return m.renderVetting(c, http.StatusUnprocessableEntity, vettingPage{Mentor: st, Form: vettingFormOf(st), Conflict: f, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/mentoring/mentors/"+c.Param("id")+"/vetting?saved=conflict")
}

func (m *Module) recordVetting(c echo.Context) error {
	var f vettingForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	ctx, u := c.Request().Context(), auth.UserOf(c)
	err := m.svc.RecordVetting(ctx, u, c.Param("id"), VettingInput{DBSEnhancedBarred: f.DBS, DBSDay: f.DBSDay, DBSMonth: f.DBSMonth,
		DBSYear: f.DBSYear, DBSUpdateService: f.UpdateService == "yes", TrainingDay: f.TrainingDay, TrainingMonth: f.TrainingMonth,
		TrainingYear: f.TrainingYear, ReferencesOK: f.ReferencesOK == "yes", ApprovedUnder18: f.ApprovedUnder18 == "yes"})
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		st, err := m.svc.Mentor(ctx, u, c.Param("id"))
		if err != nil {
			return err
		}
		return m.renderVetting(c, http.StatusUnprocessableEntity, vettingPage{Mentor: st, Form: f, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/mentoring/mentors/"+c.Param("id")+"/vetting?saved=1")
}

// vettingFormOf is the vetting form filled in with what was recorded.
func vettingFormOf(st MentorState) vettingForm {
	var f vettingForm
	if v := st.Vetting; v != nil {
		f.DBS = "no"
		if v.DBSEnhancedBarred {
			f.DBS = "yes"
		}
		f.DBSDay, f.DBSMonth, f.DBSYear = dmy(v.DBSCertificateOn)
		f.TrainingDay, f.TrainingMonth, f.TrainingYear = dmy(v.SafeguardingTrainingOn)
		f.UpdateService, f.ReferencesOK, f.ApprovedUnder18 = yes(v.DBSUpdateService), yes(v.ReferencesOK), yes(v.ApprovedUnder18)
	}
	return f
}

func dmy(t *time.Time) (string, string, string) {
	if t == nil {
		return "", "", ""
	}
	d := dayinput.Of(*t)
	return d.Day, d.Month, d.Year
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
