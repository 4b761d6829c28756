package monitoring

import (
	"context"
	"hash/fnv"
	"strings"
	"time"

	"onramp/app/db"
)

// demoLearnersSQL picks the demo seed's learners (the synthetic
// demo.learner.* people and the four demo logins) with the start of their
// earliest cohort and whether it is 19+ Step into Work.
const demoLearnersSQL = `
	SELECT DISTINCT ON (u.id) u.id, u.email, u.date_of_birth IS NULL AS no_birth_date,
	       c.starts_on, p.slug = 'step-into-work' AS adults_only
	FROM users u
	JOIN enrolments e ON e.user_id = u.id
	JOIN cohorts c ON c.id = e.cohort_id
	JOIN programmes p ON p.id = c.programme_id
	WHERE u.email LIKE 'demo.learner.%@example.org'
	   OR u.email IN ('learner@example.org', 'learner2@example.org', 'learner3@example.org', 'learner4@example.org')
	ORDER BY u.id, c.starts_on`

// weighted is a realistic spread of answers: code and weight.
type weighted []struct {
	code string
	w    int
}

func (ws weighted) pick(h uint32) string {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := int(h % uint32(total))
	for _, x := range ws {
		if n < x.w {
			return x.code
		}
		n -= x.w
	}
	return ws[len(ws)-1].code
}

// demoSpread is roughly the make-up of young people in England, with
// some "prefer not to say" on every question.
var demoSpread = map[string]weighted{
	"sex":                  {{"female", 54}, {"male", 41}, {"prefer_not_to_say", 5}},
	"gender_same_as_birth": {{"yes", 89}, {"no", 3}, {"prefer_not_to_say", 8}},
	"ethnicity": {{"white_english_welsh_scottish_ni_british", 62}, {"white_other", 6}, {"white_irish", 1},
		{"white_gypsy_irish_traveller", 1}, {"asian_pakistani", 5}, {"asian_indian", 4}, {"asian_bangladeshi", 2},
		{"asian_chinese", 1}, {"asian_other", 1}, {"black_african", 4}, {"black_caribbean", 2}, {"black_other", 1},
		{"mixed_white_black_caribbean", 2}, {"mixed_white_asian", 1}, {"mixed_other", 1}, {"other_arab", 1},
		{"other_any", 1}, {"prefer_not_to_say", 4}},
	"disability":      {{"yes", 19}, {"no", 71}, {"prefer_not_to_say", 10}},
	"care_experience": {{"yes", 9}, {"no", 83}, {"prefer_not_to_say", 8}},
	"benefits":        {{"yes", 38}, {"no", 52}, {"prefer_not_to_say", 10}},
	"neet":            {{"yes", 47}, {"no", 44}, {"prefer_not_to_say", 9}},
}

func hash(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum32()
}

// SeedDemo gives the demo seed's learners equality answers and dates of
// birth, decided by a hash of their email so every run agrees. About 70%
// of the synthetic demo learners answer; the demo logins
// (learner@example.org and friends) are left to fill in the form
// themselves. Learners with no date of birth get one making them 16 to 30
// (19 to 30 on Step into Work) when their first cohort started. It only
// adds what is missing, so running it again changes nothing.
//
// Dates of birth belong to the identity module; setting them here is a
// demo-data convenience only, never done outside the demo seed.
func SeedDemo(ctx context.Context, d *db.DB) error {
	var learners []struct {
		ID          string
		Email       string
		NoBirthDate bool
		StartsOn    time.Time
		AdultsOnly  bool
	}
	if err := db.Conn(ctx, d.Gorm).Raw(demoLearnersSQL).Scan(&learners).Error; err != nil {
		return err
	}
	return d.WithTx(ctx, func(ctx context.Context) error {
		for _, l := range learners {
			if l.NoBirthDate {
				h := hash(l.Email, "age")
				youngest, span := 16, 15
				if l.AdultsOnly {
					youngest, span = 19, 12
				}
				born := l.StartsOn.AddDate(-(youngest + int(h%uint32(span))), 0, -int(h/7%360)-1)
				if err := db.Conn(ctx, d.Gorm).Exec("UPDATE users SET date_of_birth = ? WHERE id = ? AND date_of_birth IS NULL",
					born.Format(time.DateOnly), l.ID).Error; err != nil {
					return err
				}
			}
			if !strings.HasPrefix(l.Email, "demo.") || hash(l.Email, "answers")%10 >= 7 {
				continue
			}
			values := map[string]string{}
			for _, q := range Questions {
				values[q.Field] = demoSpread[q.Field].pick(hash(l.Email, q.Field))
			}
			if err := db.Conn(ctx, d.Gorm).Exec(`
				INSERT INTO equality_answers (user_id, sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING`,
				l.ID, values["sex"], values["gender_same_as_birth"], values["ethnicity"], values["disability"],
				values["care_experience"], values["benefits"], values["neet"]).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
