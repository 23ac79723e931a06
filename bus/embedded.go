package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedOptions configures [StartEmbedded].
type EmbeddedOptions struct {
	// StoreDir holds JetStream's data. It is required.
	StoreDir string
	// Listen is the host:port clients connect to over TCP, e.g.
	// "127.0.0.1:4222" (port 0 picks a free one). Empty means no TCP port:
	// clients connect in-process through [Embedded.Connect].
	Listen string
	// Logger receives the server's log lines; nil discards them.
	Logger *slog.Logger
}

// Embedded is a NATS server with JetStream running inside this process.
type Embedded struct {
	srv       *server.Server
	listening bool
}

// readyTimeout bounds how long StartEmbedded waits for the server.
const readyTimeout = 10 * time.Second

// StartEmbedded starts a NATS server with JetStream in this process. Its file
// store syncs every write to disk (sync_interval: always), so a crash loses
// no message the server acknowledged.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	if opts.StoreDir == "" {
		return nil, fairmatch.Invalid("embedded NATS server", []fairmatch.Issue{{
			Record: "embedded", Field: "store_dir", Reason: "is required",
		}})
	}
	sopts := &server.Options{
		ServerName: "fairmatch",
		JetStream:  true,
		StoreDir:   opts.StoreDir,
		SyncAlways: true,
		NoSigs:     true,
		NoLog:      opts.Logger == nil,
	}
	if opts.Listen == "" {
		sopts.DontListen = true
	} else {
		host, port, err := splitListen(opts.Listen)
		if err != nil {
			return nil, fairmatch.Invalid("embedded NATS server", []fairmatch.Issue{{
				Record: "embedded", Field: "listen", Reason: err.Error(),
			}})
		}
		sopts.Host, sopts.Port = host, port
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	if opts.Logger != nil {
		srv.SetLoggerV2(serverLogger{opts.Logger}, false, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, &fairmatch.Error{Code: fairmatch.EUNAVAILABLE,
			Message: fmt.Sprintf("embedded NATS server: not ready after %s (is %q free?)", readyTimeout, opts.Listen)}
	}
	if !srv.JetStreamEnabled() {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, errors.New("embedded NATS server: JetStream did not start")
	}
	return &Embedded{srv: srv, listening: !sopts.DontListen}, nil
}

// splitListen parses "host:port"; port 0 asks for a free port.
func splitListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("want host:port: %w", err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if port == 0 {
		port = server.RANDOM_PORT // the server reads 0 as its default, 4222
	}
	return host, port, nil
}

// Connect returns an in-process connection to the server; it needs no TCP port.
func (e *Embedded) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.Name("fairmatch"), nats.InProcessServer(e.srv)}, opts...)
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS server: %w", err)
	}
	return nc, nil
}

// ClientURL returns the URL TCP clients connect to, or "" when the server does
// not listen.
func (e *Embedded) ClientURL() string {
	if !e.listening {
		return ""
	}
	return e.srv.ClientURL()
}

// Shutdown stops the server and waits until it has stopped.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// serverLogger adapts slog to the server's logger interface.
type serverLogger struct{ l *slog.Logger }

func (s serverLogger) Noticef(format string, v ...any) { s.l.Info(fmt.Sprintf(format, v...)) }
func (s serverLogger) Warnf(format string, v ...any)   { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s serverLogger) Fatalf(format string, v ...any)  { s.l.Error(fmt.Sprintf(format, v...)) }
func (s serverLogger) Errorf(format string, v ...any)  { s.l.Error(fmt.Sprintf(format, v...)) }
func (s serverLogger) Debugf(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s serverLogger) Tracef(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
