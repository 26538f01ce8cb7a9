package pubsub_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pubsub"
)

func Example() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// The Handler runs on the subscriber's delivery goroutine, one message
	// at a time, in server order.
	received := make(chan string, 10)
	h := pubsub.HandlerFunc(func(pattern, channel, message string) {
		received <- fmt.Sprintf("pattern=%q channel=%q message=%q", pattern, channel, message)
	})
	s, err := pubsub.Connect(pubsub.Options{Options: conn.Options{Addr: srv.Addr()}}, h).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { s.Disconnect().Wait(ctx) }()

	confs, _ := s.Subscribe("news").Wait(ctx)
	fmt.Println(confs)
	confs, _ = s.PSubscribe("weather.*").Wait(ctx)
	fmt.Println(confs)

	pub, err := conn.Connect(conn.Options{Addr: srv.Addr()}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { pub.Disconnect().Wait(ctx) }()
	for _, m := range [][2]string{{"news", "hello"}, {"weather.paris", "sunny"}, {"news", "bye"}} {
		pub.Do("PUBLISH", m[0], m[1])
		fmt.Println(<-received)
	}
	// Output:
	// [{subscribe news 1}]
	// [{psubscribe weather.* 2}]
	// pattern="" channel="news" message="hello"
	// pattern="weather.*" channel="weather.paris" message="sunny"
	// pattern="" channel="news" message="bye"
}

func ExampleSubscriber_Messages() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Channel delivery: read messages from a Go channel instead of a Handler.
	s := pubsub.New(pubsub.Options{Options: conn.Options{Addr: srv.Addr()}, Channel: true}, nil)
	if _, err := s.Subscribe("jobs").Wait(ctx); err != nil {
		panic(err)
	}
	pub, err := conn.Connect(conn.Options{Addr: srv.Addr()}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { pub.Disconnect().Wait(ctx) }()
	for _, job := range []string{"one", "two"} {
		pub.Do("PUBLISH", "jobs", job)
	}
	for i := 0; i < 2; i++ {
		m := <-s.Messages()
		fmt.Println(m.Channel, m.Payload)
	}
	s.Disconnect().Wait(ctx)
	_, open := <-s.Messages()
	fmt.Println("open after Disconnect:", open)
	// Output:
	// jobs one
	// jobs two
	// open after Disconnect: false
}
