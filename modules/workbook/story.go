package workbook

import (
	"context"
	"slices"

	"onramp/app/apperr"
)

// StoryInput is a STAR story as typed into its form.
type StoryInput struct {
	Title, Situation, Task, Action, Result string
	Values                                 []string
}

// Limits of a story, in characters.
const (
	MaxStoryTitle = 80
	MaxStoryPart  = 1000
)

var errNoAnswer = apperr.New(apperr.NotFound, "There is no such Try this answer in your workbook")

// Input is the story as its form shows it.
func (st Story) Input() StoryInput {
	return StoryInput{Title: st.Title, Situation: st.Situation, Task: st.Task, Action: st.Action, Result: st.Result, Values: st.NHSValues}
}

func (in StoryInput) validate() (Story, error) {
	var c checker
	st := Story{
		Title: c.text("title", in.Title, "Enter a short title for your story, like Helping at the food bank", "Title", MaxStoryTitle),
		Situation: c.text("situation", in.Situation, "Enter the situation: where were you, and what was happening?",
			"Situation", MaxStoryPart),
		Task:      c.text("task", in.Task, "Enter the task: what did you need to do?", "Task", MaxStoryPart),
		Action:    c.text("action", in.Action, "Enter the action: what did you do, step by step?", "Action", MaxStoryPart),
		Result:    c.text("result", in.Result, "Enter the result: how did it end, and what did you learn?", "Result", MaxStoryPart),
		NHSValues: []string{},
	}
	for _, v := range Values { // in the usual order, each once
		if slices.Contains(in.Values, v.Key) {
			st.NHSValues = append(st.NHSValues, v.Key)
		}
	}
	if len(st.NHSValues) != len(slices.Compact(slices.Sorted(slices.Values(in.Values)))) {
		c.add("values", "Select NHS values from the list")
	}
	return st, c.err()
}

// Story returns one of the learner's stories. Errors: NotFound.
func (s *Service) Story(ctx context.Context, learnerID, id string) (Story, error) {
	st, err := s.store.Story(ctx, learnerID, id)
	return st, notFound(err, errNoStory)
}

// SaveStory adds a story to the learner's workbook when id is empty, or
// changes their story with the id, and returns its id. Errors: Invalid
// naming each field, NotFound.
func (s *Service) SaveStory(ctx context.Context, learnerID, id string, in StoryInput) (string, error) {
	st, err := in.validate()
	if err != nil {
		return "", err
	}
	st.ID, st.UserID, st.UpdatedAt = id, learnerID, s.now()
	st.CreatedAt = st.UpdatedAt
	id, err = s.store.SaveStory(ctx, st)
	return id, notFound(err, errNoStory)
}

// DeleteStory deletes one of the learner's stories. Errors: NotFound.
func (s *Service) DeleteStory(ctx context.Context, learnerID, id string) error {
	return notFound(s.store.DeleteStory(ctx, learnerID, id), errNoStory)
}
