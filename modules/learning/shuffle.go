package learning

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"

	"onramp/modules/content"
)

// An attempt's round is its number among the learner's attempts at a
// check: 1 for the first. The options of every question are shown in an
// order that depends only on the learner, the check, the question and the
// round, so reloading the page shows the same order, the next attempt a
// new one, and the marking (by option id) never depends on it. A check
// or lesson whose editor turned shuffling off shows the order written,
// and an attempt records that order the same way.

// maxRounds bounds the work of keeping each round's order apart from the
// last one's: a learner who has tried a check this often gets orders
// that are merely random.
const maxRounds = 200

// optionOrder returns the ids of q's options in the order round shows
// them. For a question of two or more options the order always differs
// from the previous round's, so every try looks fresh.
func optionOrder(userID, checkID string, round int, q content.Question) []string {
	ids := writtenOrder(q)
	if len(ids) < 2 {
		return ids
	}
	if round < 1 {
		round = 1
	}
	first := max(1, round-maxRounds)
	var prev []string
	var order []string
	for r := first; r <= round; r++ {
		order = slices.Clone(ids)
		rng := rand.New(rand.NewPCG(seed(userID, checkID, q.ID, r)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		if prev != nil && slices.Equal(order, prev) {
			order = append(order[1:], order[0])
		}
		prev = order
	}
	return order
}

func seed(userID, checkID, questionID string, round int) (uint64, uint64) {
	h := sha256.New()
	for _, s := range []string{userID, checkID, questionID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var r [8]byte
	binary.BigEndian.PutUint64(r[:], uint64(round))
	h.Write(r[:])
	sum := h.Sum(nil)
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}

// writtenOrder returns the ids of q's options in the order the editor
// wrote them.
func writtenOrder(q content.Question) []string {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return ids
}

// shuffled returns a copy of c whose questions list their options in the
// order round shows them to userID; c itself (shared by the content
// cache) is not changed. shown maps each question id to that order.
func shuffled(c *content.CheckWithContext, userID string, round int) (out *content.CheckWithContext, shown map[string][]string) {
	cp := *c
	cp.Questions, shown = inOrder(c.Questions, func(q content.Question) []string {
		if !c.Shuffle {
			return writtenOrder(q)
		}
		return optionOrder(userID, c.ID, round, q)
	})
	return &cp, shown
}

// inOrder returns copies of qs with their options in the order orderOf
// gives, and those orders by question id.
func inOrder(qs []content.Question, orderOf func(content.Question) []string) ([]content.Question, map[string][]string) {
	out := make([]content.Question, len(qs))
	shown := make(map[string][]string, len(qs))
	for i, q := range qs {
		order := orderOf(q)
		byID := make(map[string]content.Option, len(q.Options))
		for _, o := range q.Options {
			byID[o.ID] = o
		}
		q.Options = make([]content.Option, len(order))
		for j, id := range order {
			q.Options[j] = byID[id]
		}
		out[i] = q
		shown[q.ID] = order
	}
	return out, shown
}
