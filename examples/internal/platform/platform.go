// Package platform holds the small pieces every shop service shares:
// configuration from the environment, logging and HTTP server lifecycle.
package platform

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// Env returns the value of the environment variable key, or fallback when it
// is unset or empty.
func Env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// Logger returns a JSON logger tagged with the service name and makes it the
// default slog logger.
func Logger(service string) *slog.Logger {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("service", service)
	slog.SetDefault(logger)
	return logger
}

// Healthz answers liveness and readiness probes.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// Serve runs srv until ctx is cancelled, then drains in-flight requests.
func Serve(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() {
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	slog.InfoContext(ctx, "shutting down", "addr", srv.Addr)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Flush calls a telemetry shutdown function with a bounded timeout so that
// buffered spans are exported before the process exits.
func Flush(ctx context.Context, logger *slog.Logger, shutdown func(context.Context) error) {
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := shutdown(flushCtx); err != nil {
		logger.Warn("flushing spans", "err", err)
	}
}
