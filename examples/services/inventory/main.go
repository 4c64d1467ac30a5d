// Command inventory serves stock levels and reservations over gRPC.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"example.com/shop/internal/inventorypb"
	"example.com/shop/internal/platform"
	"example.com/shop/internal/telemetry"
)

const serviceName = "inventory"

var tracer = otel.Tracer("example.com/shop/services/inventory")

type inventory struct {
	mu           sync.Mutex
	stock        map[string]int64
	reservations int
}

func newInventory() *inventory {
	return &inventory{stock: map[string]int64{
		"SKU-1001": 42,
		"SKU-1002": 7,
		"SKU-1003": 0,
		"SKU-2001": 120,
		"SKU-2002": 3,
	}}
}

func (inv *inventory) CheckStock(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.Int64Value, error) {
	sku := in.GetValue()
	trace.SpanFromContext(ctx).SetAttributes(attribute.String("shop.sku", sku))

	inv.mu.Lock()
	qty, ok := inv.stock[sku]
	inv.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "unknown sku %q", sku)
	}
	return wrapperspb.Int64(qty), nil
}

func (inv *inventory) Reserve(ctx context.Context, in *structpb.Struct) (*structpb.Struct, error) {
	fields := in.GetFields()
	orderID := fields["order_id"].GetStringValue()
	sku := fields["sku"].GetStringValue()
	qty := int64(fields["quantity"].GetNumberValue())
	if orderID == "" || sku == "" || qty <= 0 {
		return nil, status.Error(codes.InvalidArgument, "order_id, sku and a positive quantity are required")
	}

	_, span := tracer.Start(ctx, "inventory.reserve", trace.WithAttributes(
		attribute.String("shop.order_id", orderID),
		attribute.String("shop.sku", sku),
		attribute.Int64("shop.quantity", qty),
	))
	defer span.End()

	inv.mu.Lock()
	defer inv.mu.Unlock()
	available, ok := inv.stock[sku]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "unknown sku %q", sku)
	}
	if available < qty {
		return nil, status.Errorf(codes.FailedPrecondition, "only %d of %s left", available, sku)
	}
	inv.stock[sku] = available - qty
	inv.reservations++

	return structpb.NewStruct(map[string]any{
		"reservation_id": fmt.Sprintf("res-%06d", inv.reservations),
	})
}

func main() {
	logger := platform.Logger(serviceName)
	if err := run(logger); err != nil {
		logger.Error("inventory stopped", "err", err)
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

	addr := platform.Env("GRPC_ADDR", ":"+platform.Env("PORT", "9090"))
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}

	srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler()))
	inventorypb.RegisterInventoryServer(srv, newInventory())
	healthSrv := health.NewServer()
	healthpb.RegisterHealthServer(srv, healthSrv)
	healthSrv.SetServingStatus(inventorypb.ServiceName, healthpb.HealthCheckResponse_SERVING)

	errc := make(chan error, 1)
	go func() {
		errc <- srv.Serve(lis)
	}()
	logger.Info("listening", "addr", lis.Addr().String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	healthSrv.Shutdown()
	srv.GracefulStop()
	return nil
}
