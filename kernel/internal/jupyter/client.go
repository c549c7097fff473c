package jupyter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Channel names one of the kernel's sockets.
type Channel int

// The channels a [Client] uses.
const (
	Shell Channel = iota
	Control
	IOPub
)

func (c Channel) String() string {
	switch c {
	case Shell:
		return "shell"
	case Control:
		return "control"
	case IOPub:
		return "iopub"
	}
	return fmt.Sprintf("Channel(%d)", int(c))
}

// ErrClosed is returned by requests on a closed client.
var ErrClosed = errors.New("jupyter: client closed")

// Client talks to one running kernel over its shell, control and iopub channels. Its
// methods are safe for concurrent use: for example [Client.Interrupt] while
// [Client.Execute] waits in another goroutine.
//
// Every message received is verified against the connection key; messages with a bad
// signature are dropped and counted by [Client.Rejected].
type Client struct {
	session string
	signer  Signer

	ctx    context.Context
	cancel context.CancelFunc

	sockets [3]zmq4.Socket
	sendMu  [3]sync.Mutex

	mu      sync.Mutex
	replies map[string]*mailbox // request msg_id -> replies (shell, control)
	iopub   map[string]*mailbox // parent msg_id -> iopub messages
	dead    <-chan struct{}     // closed when the kernel process exits (set by StartKernel)
	deadErr func() error

	rejected  atomic.Int64
	malformed atomic.Int64
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// DialTimeout bounds how long [Connect] keeps retrying while the kernel has not bound its
// ports yet.
var DialTimeout = 30 * time.Second

const dialRetry = 10 * time.Millisecond

// Connect dials the kernel described by info, retrying until the kernel listens (up to
// [DialTimeout]) or ctx ends. Call [Client.WaitReady] before executing code: iopub messages
// sent before the subscription is live are lost.
func Connect(ctx context.Context, info ConnectionInfo) (*Client, error) {
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		session: NewID(), signer: NewSigner(info.Key), ctx: cctx, cancel: cancel,
		replies: map[string]*mailbox{}, iopub: map[string]*mailbox{},
	}
	opts := []zmq4.Option{
		zmq4.WithDialerRetry(dialRetry), zmq4.WithDialerMaxRetries(int(DialTimeout / dialRetry)),
		zmq4.WithLogger(log.New(io.Discard, "", 0)),
	}
	// Shell and control share one routing identity, as in jupyter_client: some kernels (GoNB
	// among them) answer control requests through the shell socket, addressed by identity.
	dealerOpts := append(opts[:len(opts):len(opts)], zmq4.WithID(zmq4.SocketIdentity(c.session)))
	c.sockets[Shell] = zmq4.NewDealer(cctx, dealerOpts...)
	c.sockets[Control] = zmq4.NewDealer(cctx, dealerOpts...)
	c.sockets[IOPub] = zmq4.NewSub(cctx, opts...)
	if err := c.sockets[IOPub].SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("jupyter: subscribing to iopub: %w", err)
	}
	ports := [3]int{info.ShellPort, info.ControlPort, info.IOPubPort}
	errs := make(chan error, 3)
	for ch := range c.sockets {
		go func() {
			if err := c.sockets[ch].Dial(info.Endpoint(ports[ch])); err != nil {
				errs <- fmt.Errorf("jupyter: dialing %s channel at %s: %w", Channel(ch), info.Endpoint(ports[ch]), err)
				return
			}
			errs <- nil
		}()
	}
	for range c.sockets {
		var err error
		select {
		case err = <-errs:
		case <-ctx.Done():
			err = fmt.Errorf("jupyter: connecting: %w", ctx.Err())
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	for ch := range c.sockets {
		c.wg.Add(1)
		go c.receive(Channel(ch))
	}
	return c, nil
}

// Session is the session id this client puts in its message headers.
func (c *Client) Session() string { return c.session }

// Rejected is the number of messages received with a bad signature (and dropped).
func (c *Client) Rejected() int64 { return c.rejected.Load() }

// Close disconnects. It does not stop the kernel (see [Client.Shutdown] and [Kernel.Close]).
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		for _, s := range c.sockets {
			if s != nil {
				_ = s.Close()
			}
		}
	})
	c.wg.Wait()
	return nil
}

// watchProcess makes pending and future requests fail with errFn's error once dead is closed.
func (c *Client) watchProcess(dead <-chan struct{}, errFn func() error) {
	c.mu.Lock()
	c.dead, c.deadErr = dead, errFn
	c.mu.Unlock()
}

func (c *Client) receive(ch Channel) {
	defer c.wg.Done()
	for {
		zm, err := c.sockets[ch].Recv()
		if err != nil {
			return // closed, or the kernel went away: waiters fail through ctx or the process watch
		}
		m, err := c.signer.Decode(zm.Frames)
		if errors.Is(err, ErrBadSignature) {
			c.rejected.Add(1)
			continue
		}
		if err != nil {
			c.malformed.Add(1)
			continue
		}
		c.mu.Lock()
		var box *mailbox
		if ch == IOPub {
			box = c.iopub[m.ParentHeader.MsgID]
		} else {
			box = c.replies[m.ParentHeader.MsgID]
		}
		c.mu.Unlock()
		if box != nil {
			box.put(m)
		}
	}
}

// Send signs m with the client's key and sends it on channel ch. It is the low-level entry
// point; most callers use [Client.Request] or the typed methods.
func (c *Client) Send(ch Channel, m *Message) error {
	frames, err := c.signer.Encode(m)
	if err != nil {
		return err
	}
	return c.SendFrames(ch, frames)
}

// SendFrames sends raw wire frames on channel ch, as they are: nothing is signed. It exists
// for tests of the kernel's own checks (for example a forged signature).
func (c *Client) SendFrames(ch Channel, frames [][]byte) error {
	if ch == IOPub {
		return fmt.Errorf("jupyter: cannot send on the iopub channel")
	}
	if c.ctx.Err() != nil {
		return ErrClosed
	}
	c.sendMu[ch].Lock()
	defer c.sendMu[ch].Unlock()
	if err := c.sockets[ch].SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("jupyter: sending on %s: %w", ch, err)
	}
	return nil
}

// NewMessage builds a message of this client's session.
func (c *Client) NewMessage(msgType string, content any) (*Message, error) {
	return NewMessage(c.session, msgType, content)
}

// Request sends a message of type msgType on ch and waits for the reply: the message whose
// parent is the request, on the shell or the control channel (GoNB answers control requests
// on shell).
func (c *Client) Request(ctx context.Context, ch Channel, msgType string, content any) (*Message, error) {
	m, err := c.NewMessage(msgType, content)
	if err != nil {
		return nil, err
	}
	box := c.listen(c.replies, m.Header.MsgID)
	defer c.forget(m.Header.MsgID)
	if err := c.Send(ch, m); err != nil {
		return nil, err
	}
	return c.wait(ctx, box, msgType)
}

// listen registers a new mailbox in boxes (c.replies or c.iopub) for the messages whose parent
// is msgID, and returns it.
func (c *Client) listen(boxes map[string]*mailbox, msgID string) *mailbox {
	box := newMailbox()
	c.mu.Lock()
	boxes[msgID] = box
	c.mu.Unlock()
	return box
}

func (c *Client) forget(msgID string) {
	c.mu.Lock()
	delete(c.replies, msgID)
	delete(c.iopub, msgID)
	c.mu.Unlock()
}

// wait returns the next message of box, or an error if ctx ends, the client closes or the
// kernel process exits.
func (c *Client) wait(ctx context.Context, box *mailbox, what string) (*Message, error) {
	c.mu.Lock()
	dead, deadErr := c.dead, c.deadErr
	c.mu.Unlock()
	for {
		if m := box.pop(); m != nil {
			return m, nil
		}
		select {
		case <-box.ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("jupyter: waiting for %s: %w", what, ctx.Err())
		case <-c.ctx.Done():
			return nil, ErrClosed
		case <-dead:
			if m := box.pop(); m != nil {
				return m, nil
			}
			return nil, fmt.Errorf("jupyter: waiting for %s: %w", what, deadErr())
		}
	}
}

// KernelInfo is the content of a kernel_info_reply (the fields this package uses; Raw holds all).
type KernelInfo struct {
	Status                string `json:"status"`
	ProtocolVersion       string `json:"protocol_version"`
	Implementation        string `json:"implementation"`
	ImplementationVersion string `json:"implementation_version"`
	Banner                string `json:"banner"`
	LanguageInfo          struct {
		Name          string `json:"name"`
		Version       string `json:"version"`
		FileExtension string `json:"file_extension"`
		MimeType      string `json:"mimetype"`
	} `json:"language_info"`
	Raw map[string]any `json:"-"`
}

// KernelInfo sends kernel_info_request on the shell channel and returns the reply.
func (c *Client) KernelInfo(ctx context.Context) (*KernelInfo, error) {
	reply, err := c.Request(ctx, Shell, "kernel_info_request", nil)
	if err != nil {
		return nil, err
	}
	return decodeKernelInfo(reply)
}

func decodeKernelInfo(reply *Message) (*KernelInfo, error) {
	var info KernelInfo
	if err := reply.Decode(&info); err != nil {
		return nil, err
	}
	_ = reply.Decode(&info.Raw)
	return &info, nil
}

// WaitReady sends kernel_info requests until one is answered on the shell channel and its
// busy/idle status arrives on iopub, so that the iopub subscription is known to be live (ZeroMQ
// drops messages published before a subscriber has joined). It returns the kernel info.
func (c *Client) WaitReady(ctx context.Context) (*KernelInfo, error) {
	patience := 100 * time.Millisecond
	for {
		m, err := c.NewMessage("kernel_info_request", nil)
		if err != nil {
			return nil, err
		}
		id := m.Header.MsgID
		replies, status := c.listen(c.replies, id), c.listen(c.iopub, id)
		if err := c.Send(Shell, m); err != nil {
			c.forget(id)
			return nil, err
		}
		reply, err := c.wait(ctx, replies, "kernel_info_reply")
		if err != nil {
			c.forget(id)
			return nil, err
		}
		wctx, cancel := context.WithTimeout(ctx, patience)
		_, serr := c.wait(wctx, status, "iopub status")
		cancel()
		c.forget(id)
		if serr == nil {
			return decodeKernelInfo(reply)
		}
		if ctx.Err() != nil || c.ctx.Err() != nil {
			return nil, fmt.Errorf("jupyter: waiting for iopub: %w", serr)
		}
		patience = min(2*patience, 2*time.Second)
	}
}

// Interrupt sends interrupt_request on the control channel (for kernels whose interrupt_mode
// is "message", like GoNB) and waits for the reply.
func (c *Client) Interrupt(ctx context.Context) error {
	reply, err := c.Request(ctx, Control, "interrupt_request", nil)
	if err != nil {
		return err
	}
	return replyStatus(reply)
}

// Shutdown sends shutdown_request on the control channel and waits for the reply. The kernel
// process exits afterwards (see [Kernel.Wait]).
func (c *Client) Shutdown(ctx context.Context, restart bool) error {
	reply, err := c.Request(ctx, Control, "shutdown_request", map[string]any{"restart": restart})
	if err != nil {
		return err
	}
	return replyStatus(reply)
}

func replyStatus(reply *Message) error {
	var st struct {
		Status string `json:"status"`
	}
	if err := reply.Decode(&st); err != nil {
		return err
	}
	if st.Status != "" && st.Status != "ok" {
		return fmt.Errorf("jupyter: %s: status %q", reply.Type(), st.Status)
	}
	return nil
}

// mailbox is an unbounded queue of messages with a wake-up channel.
type mailbox struct {
	mu    sync.Mutex
	msgs  []*Message
	ready chan struct{}
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (b *mailbox) put(m *Message) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

func (b *mailbox) pop() *Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.msgs) == 0 {
		return nil
	}
	m := b.msgs[0]
	b.msgs = b.msgs[1:]
	return m
}
