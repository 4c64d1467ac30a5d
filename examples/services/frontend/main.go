// Command frontend is the shop's HTTP entry point. It serves the storefront
// API and fans out to the checkout and recommendations services.
package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"example.com/shop/internal/platform"
	"example.com/shop/internal/telemetry"
)

const serviceName = "frontend"

type server struct {
	logger             *slog.Logger
	client             *http.Client
	checkoutURL        string
	recommendationsURL string
}

func (s *server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"shop":      "example shop",
		"endpoints": []string{"POST /checkout", "GET /recommendations?user_id=", "GET /healthz"},
	})
}

func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.checkoutURL+"/checkout", http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad checkout request", http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if user := r.Header.Get("end-user"); user != "" {
		req.Header.Set("end-user", user)
	}

	resp, err := s.client.Do(req)
	if err != nil {
		s.logger.ErrorContext(r.Context(), "calling checkout", "err", err)
		http.Error(w, "checkout unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()

	relay(w, resp)
}

func (s *server) recommendations(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("user_id")
	target := s.recommendationsURL + "/recommendations?user_id=" + url.QueryEscape(userID)

	req, err := http.NewRequest("GET", target, nil)
	if err != nil {
		http.Error(w, "bad recommendations request", http.StatusInternalServerError)
		return
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.logger.WarnContext(r.Context(), "calling recommendations", "err", err)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items":[]}`+"\n")
		return
	}
	defer resp.Body.Close()

	relay(w, resp)
}

// relay copies an upstream response to the client.
func relay(w http.ResponseWriter, resp *http.Response) {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func main() {
	logger := platform.Logger(serviceName)
	if err := run(logger); err != nil {
		logger.Error("frontend stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shutdown, err := telemetry.Setup(ctx, serviceName)
	if err != nil {
		return err
	}
	defer platform.Flush(ctx, logger, shutdown)

	s := &server{
		logger: logger,
		client: &http.Client{
			Transport: otelhttp.NewTransport(http.DefaultTransport),
			Timeout:   10 * time.Second,
		},
		checkoutURL:        platform.Env("CHECKOUT_URL", "http://127.0.0.1:8081"),
		recommendationsURL: platform.Env("RECOMMENDATIONS_URL", "http://127.0.0.1:8082"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", s.index)
	mux.HandleFunc("/checkout", s.checkout)
	mux.HandleFunc("/recommendations", s.recommendations)
	mux.HandleFunc("/healthz", platform.Healthz)

	srv := &http.Server{
		Addr:              ":" + platform.Env("PORT", "8080"),
		Handler:           otelhttp.NewHandler(mux, serviceName),
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", srv.Addr, "checkout", s.checkoutURL, "recommendations", s.recommendationsURL)
	return platform.Serve(ctx, srv)
}
