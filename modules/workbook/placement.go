package workbook

import (
	"context"
	"time"

	"onramp/app/dayinput"
)

// PlacementInput is a placement log entry as typed into its form.
type PlacementInput struct {
	Day, Month, Year string
	Place            string
	Did, Learned     string
	Value            string
}

// Limits of a placement log entry, in characters.
const (
	MaxPlace         = 100
	MaxPlacementPart = 1000
)

// Input is the entry as its form shows it.
func (p Placement) Input() PlacementInput {
	on := dayinput.Of(p.HappenedOn)
	return PlacementInput{Day: on.Day, Month: on.Month, Year: on.Year, Place: p.Place, Did: p.Did, Learned: p.Learned, Value: p.NHSValue}
}

func (s *Service) validatePlacement(in PlacementInput) (Placement, error) {
	var c checker
	p := Placement{
		Place:    c.text("place", in.Place, "", "Where you were", MaxPlace),
		Did:      c.text("did", in.Did, "Enter what you did", "What you did", MaxPlacementPart),
		Learned:  c.text("learned", in.Learned, "Enter what you learned", "What you learned", MaxPlacementPart),
		NHSValue: in.Value,
	}
	on, bad := dayinput.Parse("on", "Date", dayinput.Input{Day: in.Day, Month: in.Month, Year: in.Year})
	y, m, d := s.now().UTC().Date()
	switch {
	case bad != nil:
		c.errs = append(c.errs, *bad)
	case on.Year() < 2000:
		c.add("on-year", "Year must be 2000 or later")
	case on.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)):
		c.add("on-day", "Date must be today or in the past")
	}
	p.HappenedOn = on
	if ValueLabel(p.NHSValue) == "" {
		c.add("value", "Select the NHS value you showed")
	}
	return p, c.err()
}

// Placement returns one entry of the learner's placement log. Errors:
// NotFound.
func (s *Service) Placement(ctx context.Context, learnerID, id string) (Placement, error) {
	p, err := s.store.Placement(ctx, learnerID, id)
	return p, notFound(err, errNoPlacement)
}

// SavePlacement adds an entry to the learner's placement log when id is
// empty, or changes their entry with the id, and returns its id. Errors:
// Invalid naming each field (a date in the future too), NotFound.
func (s *Service) SavePlacement(ctx context.Context, learnerID, id string, in PlacementInput) (string, error) {
	p, err := s.validatePlacement(in)
	if err != nil {
		return "", err
	}
	p.ID, p.UserID, p.CreatedAt = id, learnerID, s.now()
	id, err = s.store.SavePlacement(ctx, p)
	return id, notFound(err, errNoPlacement)
}

// DeletePlacement deletes one entry of the learner's placement log.
// Errors: NotFound.
func (s *Service) DeletePlacement(ctx context.Context, learnerID, id string) error {
	return notFound(s.store.DeletePlacement(ctx, learnerID, id), errNoPlacement)
}
