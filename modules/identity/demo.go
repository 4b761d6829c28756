package identity

import (
	"context"
	"fmt"
	"strings"

	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/db"
)

// DemoPerson is a demo account: the dev identity provider signs them in
// and SeedDemo provisions them, so both agree on who they are.
type DemoPerson struct {
	Subject      string
	Email        string
	Name         string
	Roles        []string
	Organisation string // name of a demo organisation, or ""
}

// Demo organisations: two, so a manager in one can be shown to be refused
// the other's cohorts.
const (
	DemoTrust   = "Northfield NHS Foundation Trust"
	DemoCharity = "Riverside Youth Futures"
)

// DemoPeople are the demo logins named in DESIGN.md, plus enough others
// that lists look real.
var DemoPeople = []DemoPerson{
	{"demo-learner", "learner@example.org", "Amira Khan", []string{auth.RoleLearner}, ""},
	{"demo-learner-2", "learner2@example.org", "Jordan Price", []string{auth.RoleLearner}, ""},
	{"demo-learner-3", "learner3@example.org", "Kasia Nowak", []string{auth.RoleLearner}, ""},
	{"demo-learner-4", "learner4@example.org", "Tyrone Campbell", []string{auth.RoleLearner}, ""},
	{"demo-mentor", "mentor@example.org", "Dan Okafor", []string{auth.RoleMentor}, DemoTrust},
	{"demo-mentor-2", "mentor2@example.org", "Helen Marsh", []string{auth.RoleMentor}, DemoCharity},
	{"demo-manager", "manager@example.org", "Priya Shah", []string{auth.RoleManager}, DemoTrust},
	{"demo-manager-2", "manager2@example.org", "Tom Reid", []string{auth.RoleManager}, DemoCharity},
	{"demo-safeguarding", "safeguarding@example.org", "Grace Adeyemi", []string{auth.RoleSafeguardingLead}, DemoTrust},
	{"demo-admin", "admin@example.org", "Sam Lee", []string{auth.RoleAdmin}, ""},
	{"demo-editor", "editor@example.org", "Chloe Bennett", []string{auth.RoleContentEditor}, ""},
}

// SeedDemo creates the demo organisations and provisions every demo person
// with their organisation, ready to be linked at first sign-in. Each gets
// their demo role as a local grant too, so the admin pages show who they
// are before they first sign in (the dev provider's claim says the same
// once they do). Running it again changes nothing, except that a demo
// role an administrator removed comes back.
func (s *Service) SeedDemo(ctx context.Context) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		orgs := map[string]string{}
		for name, kind := range map[string]string{DemoTrust: "trust", DemoCharity: "charity"} {
			id, err := s.store.EnsureOrganisation(ctx, name, kind)
			if err != nil {
				return err
			}
			orgs[name] = id
		}
		for _, p := range DemoPeople {
			var org *string
			if id, ok := orgs[p.Organisation]; ok {
				org = &id
			}
			id, err := s.store.Provision(ctx, p.Email, p.Name, org)
			if err != nil {
				return err
			}
			for _, r := range p.Roles {
				if r == auth.RoleLearner { // everyone without another role is one
					continue
				}
				if _, err := s.store.Grant(ctx, id, r, ""); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AdoptDemoAccounts moves demo people who signed in through an earlier dev
// identity provider (another port, another test server) over to issuer,
// the dev provider now running, so they keep their history and
// organisation instead of becoming new, unlinked users. Only accounts of a
// provider under /dev/idp are touched, which `onramp serve` never uses.
func (s *Service) AdoptDemoAccounts(ctx context.Context, issuer string) error {
	if !strings.HasSuffix(issuer, config.DevIssuerPath) {
		return nil
	}
	subjects := make([]string, len(DemoPeople))
	for i, p := range DemoPeople {
		subjects[i] = p.Subject
	}
	return db.Conn(ctx, s.db.Gorm).Exec(`
		UPDATE users u SET issuer = ?
		WHERE u.issuer <> ? AND u.issuer LIKE '%/dev/idp' AND u.subject IN ?
		  AND NOT EXISTS (SELECT 1 FROM users o WHERE o.issuer = ? AND o.subject = u.subject)`,
		issuer, issuer, subjects, issuer).Error
}

var demoFirst = []string{"Aisha", "Ben", "Chantelle", "Darius", "Ella", "Farhan", "Grace", "Hassan", "Imogen", "Jamal",
	"Keira", "Liam", "Maya", "Nathan", "Olivia", "Patryk", "Rania", "Sam", "Tia", "Usman", "Victoria", "Wiktor",
	"Yasmin", "Zak", "Amber", "Callum", "Demi", "Ethan", "Fatima", "Gabriel", "Holly"}
var demoLast = []string{"Ahmed", "Brown", "Clarke", "Davies", "Evans", "Francis", "Green", "Hussain", "Iqbal", "Jones",
	"Khan", "Lewis", "Mensah", "Nowak", "O'Brien", "Patel", "Quinn", "Robinson", "Smith", "Taylor", "Walker", "Young"}

// DemoLearnerName is a realistic name for the i-th synthetic demo learner.
func DemoLearnerName(i int) string {
	return demoFirst[i%len(demoFirst)] + " " + demoLast[(i*7)%len(demoLast)]
}

// OrganisationID returns the id of the organisation called name.
func (s *Service) OrganisationID(ctx context.Context, name string) (string, error) {
	var id string
	err := db.Conn(ctx, s.db.Gorm).Raw("SELECT id FROM organisations WHERE lower(name) = lower(?)", name).Scan(&id).Error
	if err == nil && id == "" {
		err = fmt.Errorf("no organisation called %q", name)
	}
	return id, err
}
