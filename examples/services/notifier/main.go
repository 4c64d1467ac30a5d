// Command notifier consumes order-placed events from Kafka and sends the
// order confirmation to the customer.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"example.com/shop/internal/kafkacarrier"
	"example.com/shop/internal/platform"
	"example.com/shop/internal/telemetry"
)

const (
	serviceName     = "notifier"
	orderPlacedType = "order-placed"
)

var tracer = otel.Tracer("example.com/shop/services/notifier")

type order struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Items  []struct {
		SKU      string `json:"sku"`
		Quantity int64  `json:"quantity"`
	} `json:"items"`
}

type notifier struct {
	logger *slog.Logger
	group  string
}

// handle processes one message in a CONSUMER span that continues the trace
// of the checkout request that produced it.
func (n *notifier) handle(ctx context.Context, msg kafka.Message) error {
	ctx = otel.GetTextMapPropagator().Extract(ctx, kafkacarrier.New(&msg))
	ctx, span := tracer.Start(ctx, msg.Topic+" process",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", msg.Topic),
			attribute.String("messaging.consumer.group.name", n.group),
			attribute.Int("messaging.destination.partition.id", msg.Partition),
			attribute.Int64("messaging.kafka.offset", msg.Offset),
			attribute.String("messaging.kafka.message.key", string(msg.Key)),
		),
	)
	defer span.End()

	if eventType(msg) != orderPlacedType {
		return nil
	}
	var o order
	if err := json.Unmarshal(msg.Value, &o); err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "undecodable order")
		return err
	}
	span.SetAttributes(attribute.String("shop.order_id", o.ID))
	n.logger.InfoContext(ctx, "order confirmation sent", "order_id", o.ID, "user_id", o.UserID, "items", len(o.Items))
	return nil
}

func eventType(msg kafka.Message) string {
	for _, h := range msg.Headers {
		if h.Key == "event-type" {
			return string(h.Value)
		}
	}
	return ""
}

func main() {
	logger := platform.Logger(serviceName)
	if err := run(logger); err != nil {
		logger.Error("notifier stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	brokers := platform.Env("KAFKA_BROKERS", "")
	if brokers == "" {
		logger.Info("KAFKA_BROKERS not set, nothing to consume; exiting")
		return nil
	}

	shutdown, err := telemetry.Setup(ctx, serviceName)
	if err != nil {
		return err
	}
	defer platform.Flush(ctx, logger, shutdown)

	n := &notifier{logger: logger, group: platform.Env("KAFKA_GROUP_ID", serviceName)}
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:  strings.Split(brokers, ","),
		GroupID:  n.group,
		Topic:    platform.Env("KAFKA_TOPIC", "orders"),
		MinBytes: 1,
		MaxBytes: 1 << 20,
		MaxWait:  500 * time.Millisecond,
	})
	defer func() {
		if err := reader.Close(); err != nil {
			logger.Warn("closing kafka reader", "err", err)
		}
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", platform.Healthz)
	srv := &http.Server{
		Addr:              ":" + platform.Env("PORT", "8083"),
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		errc <- platform.Serve(ctx, srv)
	}()

	logger.Info("consuming", "brokers", brokers, "topic", reader.Config().Topic, "group", n.group)
	for {
		msg, err := reader.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		if err := n.handle(ctx, msg); err != nil {
			logger.WarnContext(ctx, "skipping message", "offset", msg.Offset, "err", err)
		}
		if err := reader.CommitMessages(ctx, msg); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	logger.Info("shutting down")
	stop()
	return <-errc
}
