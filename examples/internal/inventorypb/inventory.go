// Package inventorypb defines the shop.inventory.v1.Inventory gRPC service.
//
// The messages are protobuf well-known types, so the service needs no
// generated code: the service descriptor and the typed client below are what
// protoc-gen-go-grpc would otherwise produce.
package inventorypb

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Fully qualified names of the service and its methods.
const (
	ServiceName      = "shop.inventory.v1.Inventory"
	CheckStockMethod = "/" + ServiceName + "/CheckStock"
	ReserveMethod    = "/" + ServiceName + "/Reserve"
)

// Reservation asks the inventory to hold a quantity of a SKU for an order.
type Reservation struct {
	OrderID  string
	SKU      string
	Quantity int64
}

// InventoryServer is implemented by the inventory service.
type InventoryServer interface {
	// CheckStock returns the quantity available for a SKU.
	CheckStock(context.Context, *wrapperspb.StringValue) (*wrapperspb.Int64Value, error)
	// Reserve holds stock for an order. The request is a struct with the
	// fields order_id, sku and quantity; the response carries reservation_id.
	Reserve(context.Context, *structpb.Struct) (*structpb.Struct, error)
}

// ServiceDesc describes the Inventory service for grpc.Server.
var ServiceDesc = grpc.ServiceDesc{
	ServiceName: ServiceName,
	HandlerType: (*InventoryServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "CheckStock", Handler: checkStockHandler},
		{MethodName: "Reserve", Handler: reserveHandler},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "shop/inventory/v1/inventory.proto",
}

// RegisterInventoryServer registers srv on s.
func RegisterInventoryServer(s grpc.ServiceRegistrar, srv InventoryServer) {
	s.RegisterService(&ServiceDesc, srv)
}

func checkStockHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(InventoryServer).CheckStock(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: CheckStockMethod}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(InventoryServer).CheckStock(ctx, req.(*wrapperspb.StringValue))
	}
	return interceptor(ctx, in, info, handler)
}

func reserveHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(structpb.Struct)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(InventoryServer).Reserve(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: ReserveMethod}
	handler := func(ctx context.Context, req any) (any, error) {
		return srv.(InventoryServer).Reserve(ctx, req.(*structpb.Struct))
	}
	return interceptor(ctx, in, info, handler)
}

// Client is a typed client for the Inventory service.
type Client struct {
	cc grpc.ClientConnInterface
}

// NewClient wraps a connection to the inventory service.
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{cc: cc}
}

// CheckStock returns the quantity available for sku.
func (c *Client) CheckStock(ctx context.Context, sku string, opts ...grpc.CallOption) (int64, error) {
	out := new(wrapperspb.Int64Value)
	if err := c.cc.Invoke(ctx, CheckStockMethod, wrapperspb.String(sku), out, opts...); err != nil {
		return 0, err
	}
	return out.GetValue(), nil
}

// Reserve holds stock for an order and returns the reservation id.
func (c *Client) Reserve(ctx context.Context, r Reservation, opts ...grpc.CallOption) (string, error) {
	in, err := structpb.NewStruct(map[string]any{
		"order_id": r.OrderID,
		"sku":      r.SKU,
		"quantity": r.Quantity,
	})
	if err != nil {
		return "", fmt.Errorf("encoding reservation: %w", err)
	}
	out := new(structpb.Struct)
	if err := c.cc.Invoke(ctx, ReserveMethod, in, out, opts...); err != nil {
		return "", err
	}
	return out.GetFields()["reservation_id"].GetStringValue(), nil
}
