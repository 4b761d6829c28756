package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// waitUntil waits until the JavaScript expression is true in the page,
// failing the test with what after 15 s.
func waitUntil(t *testing.T, b *browsertest.Browser, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !evaluate[bool](t, b, expr) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s on %s", what, b.Location(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inThread is a JavaScript expression that is true when the thread on
// the page shows a message with text in it.
func inThread(text string) string {
	return `Array.from(document.querySelectorAll('#messages .app-message__body')).some(p => p.textContent.includes(` + quoteJS(text) + `))`
}

// send types a message into the thread's form, sends it and waits for
// the thread to load again (the same path, so it marks the old page and
// waits for a page without the mark).
func send(t *testing.T, b *browsertest.Browser, thread, text string) {
	t.Helper()
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#body"), text))
	evaluate[bool](t, b, `document.body.dataset.sending = 'yes', true`)
	submit(t, b, thread)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.Ctx(), 5*time.Second)
		fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !!document.body && !document.body.dataset.sending`))
		cancel()
		if err == nil && fresh {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the thread did not load again after sending (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitForPath(t, b, thread)
}

// openThread follows the "Messages with <name>" link from a home page
// and returns the thread's path.
func openThread(t *testing.T, b *browsertest.Browser, srv *testenv.Server, name string) string {
	t.Helper()
	thread := linkTo(t, b, "Messages with "+name)
	b.Navigate(t, srv.URL+thread)
	if h1 := b.Text(t, "h1"); h1 != "Messages with "+name {
		t.Fatalf("thread heading %q", h1)
	}
	return thread
}

func TestMentorAndMenteeChatLiveAndALeadReleasesAHeldMessage(t *testing.T) {
	srv := testenv.NewServer(t)
	learner, mentor, lead := browsertest.New(t), browsertest.New(t), browsertest.New(t)
	stamp := time.Now().Format("150405.000")

	signIn(t, learner, srv, "learner@example.org", "/learn")
	learner.Navigate(t, srv.URL+"/learn/mentor")
	thread := openThread(t, learner, srv, "Dan")

	// The learner writes first; the mentor sees it waiting on his home.
	hello := "Hello Dan, here is my question " + stamp
	send(t, learner, thread, hello)
	if status := learner.Text(t, `[role="status"]`); status != "Message sent" {
		t.Errorf("after sending, the learner is told %q", status)
	}
	if mine := learner.Text(t, "#messages .app-message--mine:last-child .app-message__sender"); mine != "You" {
		t.Errorf("the learner's own message is from %q, want You", mine)
	}
	check(t, learner, "messages-learner-sent")

	signIn(t, mentor, srv, "mentor@example.org", "/mentoring")
	if card := mentor.Text(t, "main"); !strings.Contains(card, "new message") {
		t.Errorf("the mentor's home does not say there are new messages: %q", card)
	}
	check(t, mentor, "messages-mentor-home-unread")
	if got := openThread(t, mentor, srv, "Amira"); got != thread {
		t.Fatalf("the mentor's thread is %s, the learner's %s", got, thread)
	}
	if !evaluate[bool](t, mentor, inThread(hello)) {
		t.Fatalf("the mentor does not see the learner's message: %q", mentor.Text(t, "#messages"))
	}
	waitUntil(t, mentor, `document.getElementById('messages').getAttribute('data-live') === 'open'`, "the live stream to open")
	mentor.Navigate(t, srv.URL+"/mentoring")
	if card := mentor.Text(t, "main"); strings.Contains(card, "new message") {
		t.Errorf("the mentor's home still counts new messages after he read them: %q", card)
	}
	mentor.Navigate(t, srv.URL+thread)
	waitUntil(t, mentor, `document.getElementById('messages').getAttribute('data-live') === 'open'`, "the live stream to open")

	// A message with a phone number is held: the learner is told it is
	// waiting to be checked, the mentor never sees it; a normal message
	// after it arrives in the mentor's open thread without a reload.
	held := "My number is 07912 345678, text me " + stamp
	send(t, learner, thread, held)
	if status := learner.Text(t, `[role="status"]`); !strings.Contains(status, "waiting to be checked") {
		t.Errorf("after sending a phone number, the learner is told %q", status)
	}
	heldID := evaluate[string](t, learner, `document.querySelector('#messages .app-message--held:last-child').dataset.id`)
	if tag := learner.Text(t, "#message-"+heldID+" .app-message__status"); !strings.Contains(tag, "Waiting to be checked") ||
		!strings.Contains(tag, "safety team") {
		t.Errorf("the held message is marked %q", tag)
	}
	check(t, learner, "messages-learner-held")
	after := "Sorry, I forgot we keep to Onramp " + stamp
	send(t, learner, thread, after)

	waitUntil(t, mentor, inThread(after), "the learner's message to arrive live")
	if evaluate[bool](t, mentor, inThread(held)) || evaluate[bool](t, mentor, `!!document.getElementById('message-`+heldID+`')`) {
		t.Error("the mentor sees the held message")
	}
	check(t, mentor, "messages-mentor-live")

	// The mentor replies while the learner is elsewhere (an open thread
	// reads what arrives); the learner's mentor page counts it.
	learner.Navigate(t, srv.URL+"/learn/mentor")
	reply := "Good question, let us look at it together " + stamp
	send(t, mentor, thread, reply)
	waitUntil(t, mentor, `document.getElementById('messages').getAttribute('data-live') === 'open'`, "the live stream to open again")
	learner.Navigate(t, srv.URL+"/learn/mentor")
	if card := learner.Text(t, ".nhsuk-card"); !strings.Contains(card, "1 new message") {
		t.Errorf("the learner's mentor page does not count the reply: %q", card)
	}
	check(t, learner, "messages-learner-unread")

	// The safeguarding lead sees it in the queue with why, and releases it.
	signIn(t, lead, srv, "safeguarding@example.org", "/safeguarding")
	row := evaluate[string](t, lead, `(document.querySelector('a[href="/safeguarding/messages/`+heldID+`"]') || {closest: () => ({textContent: ''})}).closest('tr').textContent`)
	if !strings.Contains(row, "contact_details") || !strings.Contains(row, "Amira") {
		t.Fatalf("the queue row of the held message reads %q", row)
	}
	check(t, lead, "messages-lead-queue")
	lead.Run(t, chromedp.Click(chromedp.CSS(`a[href="/safeguarding/messages/`+heldID+`"]`)))
	waitForPath(t, lead, "/safeguarding/messages/"+heldID)
	if marked := evaluate[string](t, lead, `Array.from(document.querySelectorAll('main mark')).map(m => m.textContent).join(' | ')`); !strings.Contains(marked, "07912") {
		t.Errorf("the flagged part is %q", marked)
	}
	check(t, lead, "messages-lead-review")
	lead.Run(t, chromedp.SendKeys(chromedp.CSS("#release-reason"), "A test number from the course"))
	lead.Run(t, chromedp.Click(chromedp.CSS(`form:has(input[name="action"][value="released"]) button[type="submit"]`)))
	waitForPath(t, lead, "/safeguarding")

	waitUntil(t, mentor, inThread(held), "the released message to arrive live")
	check(t, mentor, "messages-mentor-released")

	// The lead prints the whole history: the message, why it was held
	// and who released it, without the navigation.
	lead.Navigate(t, srv.URL+"/safeguarding/mentorships/"+strings.Split(thread, "/")[3]+"/history")
	record := lead.Text(t, "#message-"+heldID)
	for _, want := range []string{held, "contact_details", "Released by", "A test number from the course"} {
		if !strings.Contains(record, want) {
			t.Errorf("the printed history of the held message lacks %q: %q", want, record)
		}
	}
	if events := lead.Text(t, "table"); !strings.Contains(events, "Grace Adeyemi\tReleased a message") {
		t.Errorf("the record of actions reads %q", events)
	}
	check(t, lead, "messages-lead-history")
	lead.Run(t, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if shown := evaluate[string](t, lead, `getComputedStyle(document.querySelector('.nhsuk-header')).display`); shown != "none" {
		t.Errorf("the header prints (display %q)", shown)
	}
}

func TestLearnerReportsAWorryAndIsToldWhatHappensNext(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "learner@example.org", "/learn")
	b.Navigate(t, srv.URL+"/learn/mentor")
	openThread(t, b, srv, "Dan")
	b.Run(t, chromedp.Click(chromedp.CSS(`main a[href^="/concerns/new"]`)))
	waitForPath(t, b, "/concerns/new")
	if h1 := b.Text(t, "h1"); h1 != "Report a worry" {
		t.Fatalf("report page heading %q", h1)
	}
	check(t, b, "messages-report-worry")
	b.Run(t, chromedp.Click(chromedp.CSS(`label[for="category-other"]`)))
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#details"), "My mentor keeps asking which school I go to."))
	submit(t, b, "/concerns")
	waitForPath(t, b, "/concerns/sent")
	main := b.Text(t, "main")
	for _, want := range []string{"Thank you for telling us", "What happens next", "within a day", "Get help now", "116 123", "85258"} {
		if !strings.Contains(main, want) {
			t.Errorf("after reporting, the page lacks %q: %q", want, main)
		}
	}
	check(t, b, "messages-report-sent")
	if back := linkTo(t, b, "Go back"); back != "/learn/mentor" {
		t.Errorf("Go back leads to %q, want the learner's mentor page", back)
	}
}

func TestMessageThreadWorksWithoutJavaScript(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "learner@example.org", "/learn")
	b.Navigate(t, srv.URL+"/learn/mentor")
	thread := linkTo(t, b, "Messages with Dan")
	scriptOff(t, b, true)
	b.Navigate(t, srv.URL+thread)
	if evaluate[bool](t, b, `document.body.classList.contains('js-enabled')`) {
		t.Fatal("the page's script ran: JavaScript is not off")
	}
	text := "Sent without JavaScript " + time.Now().Format("150405.000")
	send(t, b, thread, text)
	if evaluate[bool](t, b, `document.getElementById('messages').hasAttribute('data-live')`) {
		t.Error("the thread after sending ran its script: JavaScript is not off")
	}
	if status := b.Text(t, `[role="status"]`); status != "Message sent" {
		t.Errorf("after sending without JavaScript, the learner is told %q", status)
	}
	if !evaluate[bool](t, b, inThread(text)) {
		t.Errorf("the message sent without JavaScript is not in the thread: %q", b.Text(t, "#messages"))
	}
	scriptOff(t, b, false)
	check(t, b, "messages-thread-no-js")
}
