// Package kafkacarrier carries OpenTelemetry context in Kafka message headers.
package kafkacarrier

import (
	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/propagation"
)

// Carrier adapts the headers of a kafka-go message to
// propagation.TextMapCarrier so a propagator can inject into and extract
// from them.
type Carrier struct {
	headers *[]kafka.Header
}

var _ propagation.TextMapCarrier = Carrier{}

// New returns a carrier backed by the given message's headers.
func New(msg *kafka.Message) Carrier {
	return Carrier{headers: &msg.Headers}
}

// Get returns the value of the first header with the given key.
func (c Carrier) Get(key string) string {
	for _, h := range *c.headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Set replaces every header with the given key by a single one holding value.
func (c Carrier) Set(key, value string) {
	kept := (*c.headers)[:0]
	for _, h := range *c.headers {
		if h.Key != key {
			kept = append(kept, h)
		}
	}
	*c.headers = append(kept, kafka.Header{Key: key, Value: []byte(value)})
}

// Keys lists the header keys.
func (c Carrier) Keys() []string {
	keys := make([]string, 0, len(*c.headers))
	for _, h := range *c.headers {
		keys = append(keys, h.Key)
	}
	return keys
}
