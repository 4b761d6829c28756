package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
	"time"
)

// learner is one signed-in person: a cookie jar and the CSRF token.
type learner struct {
	jar    http.CookieJar
	csrf   string
	token  string // the session cookie's value
	userID string
}

func (l *learner) request(method, u string) *http.Request {
	req, _ := http.NewRequest(method, u, nil)
	for _, c := range l.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	if method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", l.csrf)
	}
	return req
}

// signIn signs n load-test learners in over the real OIDC flow.
func signIn(ctx context.Context, base string, n int) ([]*learner, error) {
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("load-learner-%d@example.org", i)
	}
	return signInEmails(ctx, base, emails)
}

// signInEmails signs each of emails in over the real OIDC flow.
func signInEmails(ctx context.Context, base string, emails []string) ([]*learner, error) {
	n := len(emails)
	out := make([]*learner, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			email := emails[i]
			resp, err := c.Get(base + "/auth/login?login_hint=" + url.QueryEscape(email))
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/auth/callback" {
				errs <- fmt.Errorf("signing in %s ended on %s (%d)", email, resp.Request.URL, resp.StatusCode)
				return
			}
			var me struct {
				ID   string `json:"id"`
				CSRF string `json:"csrf_token"`
			}
			resp, err = c.Get(base + "/api/v1/me")
			if err != nil {
				errs <- err
				return
			}
			err = json.NewDecoder(resp.Body).Decode(&me)
			resp.Body.Close()
			if err != nil {
				errs <- err
				return
			}
			l := &learner{jar: jar, csrf: me.CSRF, userID: me.ID}
			for _, ck := range jar.Cookies(resp.Request.URL) {
				if ck.Name == "onramp_session" {
					l.token = ck.Value
				}
			}
			out[i] = l
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	return out, nil
}

// startProgramme enrols each learner on the open programme slug through
// the API, as "Start this programme" does.
func startProgramme(base string, learners []*learner, slug string) error {
	for _, l := range learners {
		resp, err := http.DefaultClient.Do(l.request(http.MethodPost, base+"/api/v1/programmes/"+slug+"/enrolment"))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("starting %s for load learner %s: %d", slug, l.userID, resp.StatusCode)
		}
	}
	return nil
}

func lessonIDs(l *learner, base, slug string) ([]string, error) {
	resp, err := http.DefaultClient.Do(l.request(http.MethodGet, base+"/api/v1/programmes/"+slug))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var p struct {
		Modules []struct {
			Lessons []struct{ ID string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range p.Modules {
		for _, les := range m.Lessons {
			ids = append(ids, les.ID)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("programme %s has no lessons", slug)
	}
	return ids, nil
}
