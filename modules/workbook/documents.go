package workbook

import "context"

// MaxNote is the longest note on a document, in characters.
const MaxNote = 300

// DocumentInput is one item of the checklist as sent by its form.
type DocumentInput struct{ Status, Note string }

// Documents returns every item of the checklist and where the learner is
// with it.
func (s *Service) Documents(ctx context.Context, learnerID string) ([]DocumentRow, error) {
	saved, err := s.store.Documents(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	rows := make([]DocumentRow, len(Items))
	for i, it := range Items {
		rows[i] = DocumentRow{Item: it, Status: NotStarted}
		for _, d := range saved {
			if d.Item == it.Key {
				rows[i].Status, rows[i].Note = d.Status, d.Note
			}
		}
	}
	return rows, nil
}

// SaveDocuments saves where the learner is with every item, by item key,
// all or none. Errors: Invalid naming each item's status or note.
func (s *Service) SaveDocuments(ctx context.Context, learnerID string, in map[string]DocumentInput) error {
	var c checker
	docs := make([]Document, 0, len(Items))
	for _, it := range Items {
		d := Document{UserID: learnerID, Item: it.Key, Status: in[it.Key].Status, UpdatedAt: s.now(),
			Note: c.text(it.Key+"-note", in[it.Key].Note, "", "The note on "+it.Label, MaxNote)}
		if statusLabel(d.Status) == "" {
			c.add(it.Key, "Select where you are with "+it.Label)
		}
		docs = append(docs, d)
	}
	if err := c.err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error { return s.store.SaveDocuments(ctx, docs) })
}

// statusLabel is the words for a status key, or "" for an unknown key.
func statusLabel(key string) string {
	for _, v := range Statuses {
		if v.Key == key {
			return v.Label
		}
	}
	return ""
}
