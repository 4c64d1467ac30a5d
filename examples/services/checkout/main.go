// Command checkout places orders: it reserves stock in the inventory service
// over gRPC and announces each order on Kafka.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"

	"example.com/shop/internal/inventorypb"
	"example.com/shop/internal/kafkacarrier"
	"example.com/shop/internal/platform"
	"example.com/shop/internal/telemetry"
)

const (
	serviceName     = "checkout"
	orderPlacedType = "order-placed"
)

var tracer = otel.Tracer("example.com/shop/services/checkout")

// Item is one line of a checkout request.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// CheckoutRequest is the body of POST /checkout.
type CheckoutRequest struct {
	UserID string `json:"user_id"`
	Items  []Item `json:"items"`
}

// Order is returned to the caller and published as an order-placed event.
type Order struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	Items        []Item    `json:"items"`
	Reservations []string  `json:"reservations"`
	PlacedAt     time.Time `json:"placed_at"`
}

type server struct {
	logger    *slog.Logger
	inventory *inventorypb.Client
	orders    *kafka.Writer
}

func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()

	var req CheckoutRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "invalid checkout request", http.StatusBadRequest)
		return
	}
	if req.UserID == "" || len(req.Items) == 0 {
		http.Error(w, "user_id and at least one item are required", http.StatusBadRequest)
		return
	}

	order := Order{
		ID:       newOrderID(),
		UserID:   req.UserID,
		Items:    req.Items,
		PlacedAt: time.Now().UTC(),
	}
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(
		attribute.String("shop.order_id", order.ID),
		attribute.Int("shop.items", len(order.Items)),
	)

	for _, item := range order.Items {
		id, err := s.inventory.Reserve(ctx, inventorypb.Reservation{
			OrderID:  order.ID,
			SKU:      item.SKU,
			Quantity: item.Quantity,
		})
		if err != nil {
			s.logger.WarnContext(ctx, "reservation failed", "order_id", order.ID, "sku", item.SKU, "err", err)
			http.Error(w, "could not reserve "+item.SKU+": "+grpcstatus.Convert(err).Message(), http.StatusConflict)
			return
		}
		order.Reservations = append(order.Reservations, id)
	}

	if err := s.publishOrderPlaced(ctx, order); err != nil {
		s.logger.ErrorContext(ctx, "publishing order", "order_id", order.ID, "err", err)
		http.Error(w, "order could not be confirmed", http.StatusServiceUnavailable)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	if err := json.NewEncoder(w).Encode(order); err != nil {
		s.logger.WarnContext(ctx, "writing response", "err", err)
	}
}

func (s *server) publishOrderPlaced(ctx context.Context, order Order) error {
	if s.orders == nil {
		s.logger.InfoContext(ctx, "KAFKA_BROKERS not set, not publishing", "event", orderPlacedType, "order_id", order.ID)
		return nil
	}

	ctx, span := tracer.Start(ctx, s.orders.Topic+" publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", s.orders.Topic),
			attribute.String("messaging.kafka.message.key", order.ID),
		),
	)
	defer span.End()

	value, err := json.Marshal(order)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "encoding order")
		return err
	}
	msg := kafka.Message{
		Key:     []byte(order.ID),
		Value:   value,
		Headers: []kafka.Header{{Key: "event-type", Value: []byte(orderPlacedType)}},
	}
	otel.GetTextMapPropagator().Inject(ctx, kafkacarrier.New(&msg))

	if err := s.orders.WriteMessages(ctx, msg); err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "kafka write failed")
		return err
	}
	return nil
}

func newOrderID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "ord-" + hex.EncodeToString(b)
}

func main() {
	logger := platform.Logger(serviceName)
	if err := run(logger); err != nil {
		logger.Error("checkout stopped", "err", err)
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

	inventoryAddr := platform.Env("INVENTORY_ADDR", "127.0.0.1:9090")
	conn, err := grpc.NewClient(inventoryAddr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
	)
	if err != nil {
		return err
	}
	defer conn.Close()

	s := &server{logger: logger, inventory: inventorypb.NewClient(conn)}
	if brokers := platform.Env("KAFKA_BROKERS", ""); brokers != "" {
		s.orders = &kafka.Writer{
			Addr:         kafka.TCP(strings.Split(brokers, ",")...),
			Topic:        platform.Env("KAFKA_TOPIC", "orders"),
			Balancer:     &kafka.Hash{},
			RequiredAcks: kafka.RequireAll,
			BatchTimeout: 10 * time.Millisecond,
		}
		defer func() {
			if err := s.orders.Close(); err != nil {
				logger.Warn("closing kafka writer", "err", err)
			}
		}()
		logger.Info("publishing order events", "brokers", brokers, "topic", s.orders.Topic)
	} else {
		logger.Info("KAFKA_BROKERS not set, order events will not be published")
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/checkout", s.checkout)
	mux.HandleFunc("/healthz", platform.Healthz)

	srv := &http.Server{
		Addr:              ":" + platform.Env("PORT", "8081"),
		Handler:           otelhttp.NewHandler(mux, serviceName),
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", srv.Addr, "inventory", inventoryAddr)
	return platform.Serve(ctx, srv)
}
