package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// The gRPC side of the peer: baton.test.Echo/Unary (the service of baton-tower's tests,
// whose one message is {1: int32 code, 2: string text, 3: uint32 count}), served and
// called under otelgrpc's stats handlers, with no generated code: the messages travel as
// raw bytes through rawCodec and the two fields the peer needs are read with protowire.

const echoUnary = "/baton.test.Echo/Unary"

// rawCodec passes messages through as bytes; named "proto" so the content type stays
// application/grpc(+proto).
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	if b, ok := v.(*[]byte); ok {
		return *b, nil
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// message encodes {code, text}.
func message(code int32, text string) []byte {
	var b []byte
	if code != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(uint32(code)))
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendString(b, text)
}

// fields reads code and text from a message, skipping any other field.
func fields(b []byte) (code int32, text string, err error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, "", protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, "", protowire.ParseError(m)
			}
			code, b = int32(v), b[m:]
		case num == 2 && typ == protowire.BytesType:
			v, m := protowire.ConsumeString(b)
			if m < 0 {
				return 0, "", protowire.ParseError(m)
			}
			text, b = v, b[m:]
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return 0, "", protowire.ParseError(m)
			}
			b = b[m:]
		}
	}
	return code, text, nil
}

// unary answers the request, or fails with its code: "<text> asked for", as baton's
// test service does.
func unary(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	code, text, err := fields(in)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if code != 0 {
		return nil, status.Error(codes.Code(code), text+" asked for")
	}
	out := message(0, text)
	return &out, nil
}

var echoService = grpc.ServiceDesc{
	ServiceName: "baton.test.Echo",
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Unary", Handler: unary}},
}

// grpcServe serves baton.test.Echo/Unary under otelgrpc until SIGINT, printing
// "go listening on http://127.0.0.1:PORT" once it accepts connections.
func grpcServe(args []string) error {
	flags := flag.NewFlagSet("grpc-serve", flag.ContinueOnError)
	if err := flags.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tel, err := setup(ctx)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := grpc.NewServer(
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.ForceServerCodec(rawCodec{}),
	)
	server.RegisterService(&echoService, nil)
	fmt.Printf("go listening on http://%s (ctrl-c to stop)\n", listener.Addr())
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		server.GracefulStop()
	}
	done, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, tel.shutdown(done))
}

// grpcCall calls baton.test.Echo/Unary at ADDR (host:port) under otelgrpc, from no span
// (its CLIENT span is the root of a new trace), asking for --code, and prints
//
//	code NAME
//
// (the status the call ended with), then flushes the telemetry.
func grpcCall(args []string) error {
	flags := flag.NewFlagSet("grpc-call", flag.ContinueOnError)
	code := flags.Int("code", 0, "the gRPC code to ask the server to fail with (0: answer)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("expected one address, host:port")
	}
	ctx := context.Background()
	tel, err := setup(ctx)
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(flags.Arg(0),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})),
	)
	if err != nil {
		return err
	}
	in := message(int32(*code), "go")
	var out []byte
	callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	callErr := conn.Invoke(callCtx, echoUnary, &in, &out)
	cancel()
	fmt.Println("code " + strconv.Quote(status.Code(callErr).String()))
	done, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	return errors.Join(conn.Close(), tel.shutdown(done))
}
