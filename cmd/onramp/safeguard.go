package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"onramp/modules/messaging/detect"
)

// maxScanLine is the longest input line safeguard scan reads: messages are
// capped far below this, and a longer line is reported, not scanned.
const maxScanLine = 1 << 20

// scanInput is one line of `onramp safeguard scan` input.
type scanInput struct {
	ID     json.RawMessage `json:"id"`
	Text   *string         `json:"text"`
	Sender string          `json:"sender"`
}

// scanOutput is one line of its output; labels is [] for a normal message.
type scanOutput struct {
	ID     json.RawMessage `json:"id"`
	Labels []string        `json:"labels"`
}

// safeguard runs `onramp safeguard scan`: the message detector offline.
//
// It reads JSON Lines {"id","text","sender"} from In and writes one
// {"id","labels":[...]} line per message to Out, in input order, as it
// goes (any size of input). A line that is not such an object (bad JSON,
// no text, too long) is reported on Err with its line number and skipped;
// the others are still scanned, and the command then fails (exit 1) so a
// pipeline notices. Blank lines are ignored. The lists are the embedded
// defaults plus the file named by ONRAMP_SAFEGUARDING_LISTS, if any.
func (m Main) safeguard(ctx context.Context, args []string) error {
	if len(args) != 1 || args[0] != "scan" {
		return usageError("usage: onramp safeguard scan < messages.jsonl > labels.jsonl")
	}
	d, err := detect.FromEnv()
	if err != nil {
		return err
	}
	in := bufio.NewReaderSize(m.inOrStdin(), 64<<10)
	out := bufio.NewWriter(m.Out)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	bad := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := readLine(in)
		if errors.Is(err, io.EOF) && line == nil {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errLineTooLong) {
			return fmt.Errorf("reading line %d: %w", n, err)
		}
		if errors.Is(err, errLineTooLong) {
			bad++
			fmt.Fprintf(m.Err, "line %d: longer than %d bytes, skipped\n", n, maxScanLine)
			continue
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var msg scanInput
		if err := json.Unmarshal(line, &msg); err != nil {
			bad++
			fmt.Fprintf(m.Err, "line %d: not a JSON message: %v\n", n, err)
			continue
		}
		if msg.Text == nil || len(msg.ID) == 0 || string(msg.ID) == "null" {
			bad++
			fmt.Fprintf(m.Err, "line %d: a message needs an \"id\" and a \"text\"\n", n)
			continue
		}
		r := d.Scan(*msg.Text)
		if err := enc.Encode(scanOutput{ID: msg.ID, Labels: r.Labels}); err != nil {
			return fmt.Errorf("writing the result of line %d: %w", n, err)
		}
		if in.Buffered() == 0 {
			// Nothing more to read right now: let the reader see what is done.
			if err := out.Flush(); err != nil {
				return err
			}
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("safeguard scan: %d bad input line(s) skipped, see above", bad)
	}
	return nil
}

// inOrStdin is the command's standard input; tests replace os.Stdin.
func (m Main) inOrStdin() io.Reader { return os.Stdin }

var errLineTooLong = errors.New("line too long")

// readLine reads one line without its newline. A line longer than
// maxScanLine is read to its end and reported as errLineTooLong.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) <= maxScanLine+1 {
			line = append(line, chunk...)
		} else {
			line = line[:0]
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return []byte{}, errLineTooLong
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, io.EOF
			}
			return line, nil
		case err != nil:
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
}
