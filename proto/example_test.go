package proto_test

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/txredis/txredis/proto"
)

func ExampleReader() {
	wire := "+OK\r\n$5\r\nhello\r\n*2\r\n:1\r\n_\r\n%1\r\n+role\r\n+master\r\n"
	r := proto.NewReader(bufio.NewReader(strings.NewReader(wire)), proto.ReaderOptions{})
	for {
		v, err := r.ReadValue()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v.Kind, v)
	}
	// Output:
	// simple string OK
	// bulk string "hello"
	// array [(integer) 1, (nil)]
	// map {role: master}
	// EOF
}

func ExampleValue_AsMap() {
	// HGETALL replies with a RESP3 map, or a flat RESP2 array: both convert.
	v := proto.ArrayValue(proto.BulkValue("name"), proto.BulkValue("ada"))
	m, err := v.AsMap()
	fmt.Println(m, err)
	// Output: map[name:ada] <nil>
}

func ExampleValue_AsString() {
	_, err := proto.NullValue().AsString()
	fmt.Println(errors.Is(err, proto.ErrNil))
	_, err = proto.ErrorValue("WRONGTYPE Operation against a key holding the wrong kind of value").AsString()
	fmt.Println(errors.Is(err, proto.ErrWrongType), err)
	// Output:
	// true
	// true WRONGTYPE Operation against a key holding the wrong kind of value
}

func ExampleCmd() {
	c := proto.NewCmd("set").Key("greeting").Arg("hello\r\nworld").Int(60)
	defer c.Release()
	key, _ := c.FirstKey()
	fmt.Println(c.Name(), c.Len(), string(key))
	fmt.Printf("%q\n", c.AppendTo(nil))
	fmt.Println(c)
	// Output:
	// SET 4 greeting
	// "*4\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$12\r\nhello\r\nworld\r\n$2\r\n60\r\n"
	// SET "greeting" "hello\r\nworld" "60"
}

func ExampleCmd_String() {
	c := proto.NewCmd("AUTH").Arg("default").Arg("s3cret")
	defer c.Release()
	fmt.Println(c)
	// Output: AUTH (masked) (masked)
}

func ExampleAppendCommand() {
	fmt.Printf("%q\n", proto.AppendCommand(nil, "GET", "foo"))
	// Output: "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n"
}

func ExampleAppendValue() {
	v := proto.MapValue(proto.SimpleValue("proto"), proto.IntValue(3))
	fmt.Printf("%q\n", proto.AppendValue(nil, v))
	fmt.Printf("%q\n", proto.AppendValueRESP2(nil, v))
	// Output:
	// "%1\r\n+proto\r\n:3\r\n"
	// "*2\r\n+proto\r\n:3\r\n"
}

func ExampleParseRedirect() {
	err := proto.NewError("MOVED 3999 127.0.0.1:6381")
	slot, addr, ask, ok := proto.ParseRedirect(err)
	fmt.Println(slot, addr, ask, ok, errors.Is(err, proto.ErrMoved))
	// Output: 3999 127.0.0.1:6381 false true true
}
