package jupyter

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Output is one output of a cell, as the kernel published it on iopub.
type Output struct {
	// Type is the iopub message type: "stream", "display_data", "update_display_data",
	// "execute_result" or "error".
	Type string
	// Name is the stream name ("stdout" or "stderr") of a stream output.
	Name string
	// Text is the text of a stream output.
	Text string
	// Data maps MIME types to content for display_data, update_display_data and execute_result.
	Data map[string]any
	// Metadata of a display output.
	Metadata map[string]any
	// DisplayID is transient.display_id: the id that update_display_data refers to.
	DisplayID string
	// EName, EValue and Traceback describe an "error" output.
	EName     string
	EValue    string
	Traceback []string
}

// MIME returns Data[mime] as a string ("" if absent).
func (o Output) MIME(mime string) string {
	s, _ := o.Data[mime].(string)
	return s
}

// ExecuteOptions tunes [Client.Execute].
type ExecuteOptions struct {
	// Silent asks the kernel not to broadcast output nor count the execution.
	Silent bool
	// OnOutput, when set, is called with each output as it arrives (from the goroutine running
	// Execute), e.g. to interrupt a cell once it has started printing.
	OnOutput func(Output)
}

// ExecuteResult is what a cell produced.
type ExecuteResult struct {
	// MsgID is the execute_request's msg_id.
	MsgID string
	// Status is the execute_reply status: "ok", "error" or "aborted".
	Status string
	// ExecutionCount is the execution counter of the reply.
	ExecutionCount int
	// Reply is the execute_reply content (for an error: ename, evalue, traceback).
	Reply map[string]any
	// Outputs in arrival order.
	Outputs []Output
	// Elapsed is the time from sending the request to the kernel going idle.
	Elapsed time.Duration
}

// Stdout concatenates the stdout stream outputs.
func (r *ExecuteResult) Stdout() string { return r.stream("stdout") }

// Stderr concatenates the stderr stream outputs.
func (r *ExecuteResult) Stderr() string { return r.stream("stderr") }

func (r *ExecuteResult) stream(name string) string {
	var b strings.Builder
	for _, o := range r.Outputs {
		if o.Type == "stream" && o.Name == name {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

// Displays returns the display_data, update_display_data and execute_result outputs.
func (r *ExecuteResult) Displays() []Output {
	var out []Output
	for _, o := range r.Outputs {
		switch o.Type {
		case "display_data", "update_display_data", "execute_result":
			out = append(out, o)
		}
	}
	return out
}

// ansi matches terminal colour escapes in tracebacks.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// ErrorText is the error of the cell in plain text: the ename, evalue and traceback of the
// error outputs and of the reply, without terminal colours. It is "" for a successful cell.
func (r *ExecuteResult) ErrorText() string {
	var b strings.Builder
	add := func(ename, evalue string, tb []string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s", ename, evalue)
		for _, line := range tb {
			b.WriteString("\n")
			b.WriteString(line)
		}
	}
	for _, o := range r.Outputs {
		if o.Type == "error" {
			add(o.EName, o.EValue, o.Traceback)
		}
	}
	if b.Len() == 0 && r.Status != "ok" {
		ename, _ := r.Reply["ename"].(string)
		evalue, _ := r.Reply["evalue"].(string)
		add(ename, evalue, toStrings(r.Reply["traceback"]))
	}
	return ansi.ReplaceAllString(b.String(), "")
}

// Err is nil for a cell whose status is "ok" and otherwise an error holding [ExecuteResult.ErrorText].
func (r *ExecuteResult) Err() error {
	if r.Status == "ok" {
		return nil
	}
	return fmt.Errorf("cell %s: %s", r.Status, r.ErrorText())
}

// Execute runs code and collects its outputs until the kernel reports idle for this request
// and the execute_reply has arrived. A cell that fails is not an error of Execute: look at
// [ExecuteResult.Status] or [ExecuteResult.Err]. Execute returns an error only when the
// exchange itself fails (ctx ends, the client closes, the kernel process exits).
func (c *Client) Execute(ctx context.Context, code string, opts ExecuteOptions) (*ExecuteResult, error) {
	m, err := c.NewMessage("execute_request", map[string]any{
		"code": code, "silent": opts.Silent, "store_history": !opts.Silent,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return nil, err
	}
	id := m.Header.MsgID
	replies, iopub := c.listen(c.replies, id), c.listen(c.iopub, id)
	defer c.forget(id)
	start := time.Now()
	if err := c.Send(Shell, m); err != nil {
		return nil, err
	}
	res := &ExecuteResult{MsgID: id}
	gotReply, idle := false, false
	for !gotReply || !idle {
		var msg *Message
		var err error
		if !idle {
			msg, err = c.waitEither(ctx, iopub, replies)
		} else {
			msg, err = c.wait(ctx, replies, "execute_reply")
		}
		if err != nil {
			return res, err
		}
		if msg.Type() == "execute_reply" {
			gotReply = true
			if err := msg.Decode(&res.Reply); err != nil {
				return res, err
			}
			res.Status, _ = res.Reply["status"].(string)
			if n, ok := res.Reply["execution_count"].(float64); ok {
				res.ExecutionCount = int(n)
			}
			continue
		}
		out, isOutput, isIdle, err := decodeIOPub(msg)
		if err != nil {
			return res, err
		}
		if isIdle {
			idle = true
			res.Elapsed = time.Since(start)
		}
		if isOutput {
			res.Outputs = append(res.Outputs, out)
			if opts.OnOutput != nil {
				opts.OnOutput(out)
			}
		}
	}
	// GoNB forwards a cell's displays from a pipe; on a loaded machine the last of them can
	// reach iopub just after the idle status. Collect what arrives within a short grace period.
	grace := time.NewTimer(lateOutputGrace)
	defer grace.Stop()
	for {
		if msg := iopub.pop(); msg != nil {
			if out, isOutput, _, err := decodeIOPub(msg); err == nil && isOutput {
				res.Outputs = append(res.Outputs, out)
				if opts.OnOutput != nil {
					opts.OnOutput(out)
				}
			}
			continue
		}
		select {
		case <-iopub.ready:
		case <-grace.C:
			return res, nil
		case <-ctx.Done():
			return res, nil
		}
	}
}

// lateOutputGrace is how long Execute keeps listening for outputs after the kernel is idle.
// 300 ms lost a large display (ViT-S's graph) on a machine whose two cores ran two trainings
// beside the notebook tests; a second costs little in tests that run a few cells each.
const lateOutputGrace = time.Second

// waitEither returns the next message from a (preferred) or b.
func (c *Client) waitEither(ctx context.Context, a, b *mailbox) (*Message, error) {
	c.mu.Lock()
	dead, deadErr := c.dead, c.deadErr
	c.mu.Unlock()
	for {
		if m := a.pop(); m != nil {
			return m, nil
		}
		if m := b.pop(); m != nil {
			return m, nil
		}
		select {
		case <-a.ready:
		case <-b.ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("jupyter: waiting for the cell to finish: %w", ctx.Err())
		case <-c.ctx.Done():
			return nil, ErrClosed
		case <-dead:
			if m := a.pop(); m != nil {
				return m, nil
			}
			if m := b.pop(); m != nil {
				return m, nil
			}
			return nil, fmt.Errorf("jupyter: waiting for the cell to finish: %w", deadErr())
		}
	}
}

// decodeIOPub turns an iopub message into an Output (isOutput), or reports the idle status.
func decodeIOPub(m *Message) (out Output, isOutput, isIdle bool, err error) {
	var content struct {
		Name           string         `json:"name"`
		Text           string         `json:"text"`
		Data           map[string]any `json:"data"`
		Metadata       map[string]any `json:"metadata"`
		Transient      map[string]any `json:"transient"`
		EName          string         `json:"ename"`
		EValue         string         `json:"evalue"`
		Traceback      []string       `json:"traceback"`
		ExecutionState string         `json:"execution_state"`
	}
	if err := m.Decode(&content); err != nil {
		return out, false, false, err
	}
	switch t := m.Type(); t {
	case "status":
		return out, false, content.ExecutionState == "idle", nil
	case "stream", "display_data", "update_display_data", "execute_result", "error":
		out = Output{Type: t, Name: content.Name, Text: content.Text, Data: content.Data, Metadata: content.Metadata,
			EName: content.EName, EValue: content.EValue, Traceback: content.Traceback}
		out.DisplayID, _ = content.Transient["display_id"].(string)
		return out, true, false, nil
	}
	return out, false, false, nil // execute_input, clear_output, comm messages...
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
