package proto

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestAsString(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want string
	}{
		{SimpleValue("OK"), "OK"},
		{BulkValue("foo"), "foo"},
		{VerbatimValue("txt", "v"), "v"},
		{BigNumberValue("123456789012345678901234567890"), "123456789012345678901234567890"},
		{IntValue(-3), "-3"},
		{DoubleValue(1.5), "1.5"},
		{DoubleValue(math.Inf(-1)), "-inf"},
	} {
		have, err := tc.v.AsString()
		if err != nil || have != tc.want {
			t.Errorf("%v.AsString() = %q, %v; want %q", tc.v, have, err, tc.want)
		}
	}
	if b, err := BulkValue("x").AsBytes(); err != nil || string(b) != "x" {
		t.Errorf("AsBytes = %q, %v", b, err)
	}
}

func TestAsNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want int64
	}{
		{IntValue(42), 42}, {BoolValue(true), 1}, {BoolValue(false), 0}, {BulkValue("42"), 42},
		{SimpleValue("-7"), -7}, {BigNumberValue("12"), 12},
	} {
		have, err := tc.v.AsInt()
		if err != nil || have != tc.want {
			t.Errorf("%v.AsInt() = %d, %v; want %d", tc.v, have, err, tc.want)
		}
	}
	for _, tc := range []struct {
		v    Value
		want float64
	}{
		{DoubleValue(1.5), 1.5}, {IntValue(3), 3}, {BulkValue("1.5"), 1.5}, {BulkValue("inf"), math.Inf(1)},
		{BulkValue("-inf"), math.Inf(-1)}, {BulkValue("+inf"), math.Inf(1)}, {BulkValue("10"), 10},
	} {
		have, err := tc.v.AsFloat()
		if err != nil || have != tc.want {
			t.Errorf("%v.AsFloat() = %v, %v; want %v", tc.v, have, err, tc.want)
		}
	}
	for _, v := range []Value{BulkValue("4x"), BulkValue(""), BulkValue("99999999999999999999"), DoubleValue(1)} {
		if _, err := v.AsInt(); !errors.Is(err, ErrConversion) {
			t.Errorf("%v.AsInt() error %v, want ErrConversion", v, err)
		}
	}
	if _, err := BulkValue("1.5x").AsFloat(); !errors.Is(err, ErrConversion) {
		t.Errorf("AsFloat of a non-number: %v", err)
	}
}

func TestAsBool(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want bool
	}{
		{BoolValue(true), true}, {BoolValue(false), false}, {IntValue(1), true}, {IntValue(0), false}, {SimpleValue("OK"), true},
	} {
		have, err := tc.v.AsBool()
		if err != nil || have != tc.want {
			t.Errorf("%v.AsBool() = %v, %v; want %v", tc.v, have, err, tc.want)
		}
	}
	if _, err := SimpleValue("QUEUED").AsBool(); !errors.Is(err, ErrConversion) {
		t.Errorf("AsBool of QUEUED: %v", err)
	}
}

func TestAsAggregates(t *testing.T) {
	arr := ArrayValue(BulkValue("a"), NullValue(), IntValue(3))
	if have, err := arr.AsStrings(); err != nil || !slices.Equal(have, []string{"a", "", "3"}) {
		t.Errorf("AsStrings = %q, %v", have, err)
	}
	if have, err := ArrayValue().AsStrings(); err != nil || have == nil || len(have) != 0 {
		t.Errorf("AsStrings of an empty array = %#v, %v; want an empty slice", have, err)
	}
	if _, err := ArrayValue(ErrorValue("ERR in elem")).AsStrings(); err == nil || err.Error() != "ERR in elem" {
		t.Errorf("AsStrings with an error element: %v", err)
	}
	want := map[string]string{"f1": "v1", "f2": ""}
	for _, v := range []Value{
		MapValue(BulkValue("f1"), BulkValue("v1"), BulkValue("f2"), NullValue()),
		ArrayValue(BulkValue("f1"), BulkValue("v1"), BulkValue("f2"), NullValue()),
	} {
		if have, err := v.AsMap(); err != nil || !maps.Equal(have, want) {
			t.Errorf("%v.AsMap() = %v, %v", v, have, err)
		}
	}
	if _, err := ArrayValue(BulkValue("odd")).AsMap(); !errors.Is(err, ErrConversion) {
		t.Errorf("AsMap of an odd array: %v", err)
	}
	if have, err := SetValue(IntValue(1)).AsValues(); err != nil || len(have) != 1 {
		t.Errorf("AsValues of a set: %v, %v", have, err)
	}
}

// TestConversionErrors checks the errors every conversion shares.
func TestConversionErrors(t *testing.T) {
	convs := map[string]func(Value) error{
		"AsString":  func(v Value) error { _, err := v.AsString(); return err },
		"AsBytes":   func(v Value) error { _, err := v.AsBytes(); return err },
		"AsInt":     func(v Value) error { _, err := v.AsInt(); return err },
		"AsFloat":   func(v Value) error { _, err := v.AsFloat(); return err },
		"AsBool":    func(v Value) error { _, err := v.AsBool(); return err },
		"AsStrings": func(v Value) error { _, err := v.AsStrings(); return err },
		"AsMap":     func(v Value) error { _, err := v.AsMap(); return err },
		"AsValues":  func(v Value) error { _, err := v.AsValues(); return err },
	}
	for name, conv := range convs {
		err := conv(ErrorValue("WRONGTYPE Operation against a key"))
		var perr *Error
		if !errors.As(err, &perr) || !errors.Is(err, ErrWrongType) || perr.Msg != "WRONGTYPE Operation against a key" {
			t.Errorf("%s of an error reply: %v", name, err)
		}
		if err := conv(BlobErrorValue("NOSCRIPT x")); !errors.Is(err, ErrNoScript) {
			t.Errorf("%s of a blob error: %v", name, err)
		}
		if err := conv(NullValue()); !errors.Is(err, ErrNil) {
			t.Errorf("%s of null: %v, want ErrNil", name, err)
		}
		err = conv(PushValue())
		if name == "AsStrings" || name == "AsValues" {
			err = conv(BoolValue(true))
		}
		if !errors.Is(err, ErrConversion) || !strings.HasPrefix(err.Error(), "txredis/proto: cannot convert ") {
			t.Errorf("%s of the wrong kind: %v", name, err)
		}
	}
	if _, err := ArrayValue().AsInt(); err.Error() != "txredis/proto: cannot convert array to int64" {
		t.Errorf("message: %v", err)
	}
}

func TestValueString(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want string
	}{
		{SimpleValue("OK"), "OK"},
		{BulkValue("a\"b"), `"a\"b"`},
		{IntValue(1), "(integer) 1"},
		{NullValue(), "(nil)"},
		{Value{}, "(nil)"},
		{ErrorValue("ERR x"), "(error) ERR x"},
		{DoubleValue(math.Inf(1)), "(double) inf"},
		{BoolValue(true), "(true)"},
		{VerbatimValue("txt", "v"), `txt:"v"`},
		{BigNumberValue("1"), "(big number) 1"},
		{ArrayValue(BulkValue("a"), IntValue(2)), `["a", (integer) 2]`},
		{MapValue(BulkValue("k"), BulkValue("v"), BulkValue("k2"), NullValue()), `{"k": "v", "k2": (nil)}`},
		{SetValue(IntValue(1)), "~[(integer) 1]"},
		{PushValue(), ">[]"},
		{IntValue(1).WithAttrs(SimpleValue("a"), SimpleValue("b")), "|{a: b}| (integer) 1"},
		{Value{Kind: 'Z'}, "(nil)"},
	} {
		if have := tc.v.String(); have != tc.want {
			t.Errorf("String() = %s, want %s", have, tc.want)
		}
	}
	// A cyclic value built by hand must not hang or panic.
	cyc := make([]Value, 1)
	cyc[0] = Value{Kind: Array, Elems: cyc}
	if s := cyc[0].String(); !strings.Contains(s, "...") {
		t.Errorf("cyclic value: %s", s)
	}
	if Kind('Z').String() != "kind(0x5a)" || Map.String() != "map" {
		t.Errorf("Kind.String: %s %s", Kind('Z'), Map)
	}
	_ = fmt.Sprint(ArrayValue(make([]Value, 100)...))
}
