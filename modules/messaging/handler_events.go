package messaging

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

// eventJSON is what one event carries: enough for a page to know what
// to fetch; the message itself is read through the API.
type eventJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Mine   bool   `json:"mine"`
}

// events is a thread's Server-Sent Events stream for its two people. Each
// event is named by its message id, so a reconnect's Last-Event-ID
// resumes after it. Memory per stream is a subscription and a ticker;
// the hub wakes the stream and the database says what changed.
func (m *Module) events(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.UserOf(c)
	st, err := m.svc.OpenStream(ctx, u, c.Param("id"), c.Request().Header.Get("Last-Event-ID"))
	if err != nil {
		return err
	}
	sub := m.hub.Subscribe(st.MentorshipID)
	defer sub.Close()

	// Streams outlive the server's write timeout.
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Time{})
	h := c.Response().Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response()
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return nil
	}
	w.Flush()
	send := func() error {
		views, err := m.svc.Next(ctx, st)
		if err != nil {
			return err
		}
		for _, v := range views {
			data, _ := json.Marshal(eventJSON{ID: v.ID, Status: v.Status, Mine: v.Mine})
			if _, err := fmt.Fprintf(w, "id: %s\nevent: message\ndata: %s\n\n", v.ID, data); err != nil {
				return err
			}
		}
		if len(views) > 0 {
			w.Flush()
		}
		return nil
	}
	beat := time.NewTicker(m.heartbeat)
	defer beat.Stop()
	for {
		if err := send(); err != nil {
			return nil // the client has gone, or the database: it reconnects
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.hub.Done():
			return nil
		case <-sub.C:
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}
