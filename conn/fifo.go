package conn

// pending is one command waiting for its reply.
type pending struct {
	r        Resolver
	deadline int64 // monotonic nanoseconds since the Conn's epoch; 0 = none
	timeout  int64 // the reply timeout it was sent with; 0 = none
}

// fifo is a growable ring of pending commands in wire order.
// It is not safe for concurrent use: Conn.mu protects it.
type fifo struct {
	buf        []pending
	head, size int
}

func (q *fifo) push(p pending) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = p
	q.size++
}

func (q *fifo) grow() {
	n := len(q.buf) * 2
	if n == 0 {
		n = 64
	}
	nb := make([]pending, n)
	for i := 0; i < q.size; i++ {
		nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = nb, 0
}

func (q *fifo) peek() (pending, bool) {
	if q.size == 0 {
		return pending{}, false
	}
	return q.buf[q.head], true
}

func (q *fifo) pop() (pending, bool) {
	if q.size == 0 {
		return pending{}, false
	}
	p := q.buf[q.head]
	q.buf[q.head] = pending{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	if q.size == 0 {
		q.head = 0
		if len(q.buf) > 4096 {
			q.buf = nil // release memory after a burst
		}
	}
	return p, true
}

// popN moves up to n pending commands, oldest first, to the end of dst.
func (q *fifo) popN(dst []pending, n int) []pending {
	for ; n > 0; n-- {
		p, ok := q.pop()
		if !ok {
			break
		}
		dst = append(dst, p)
	}
	return dst
}

// drain removes and returns every pending command in order.
func (q *fifo) drain() []pending {
	out := make([]pending, 0, q.size)
	for {
		p, ok := q.pop()
		if !ok {
			return out
		}
		out = append(out, p)
	}
}

// startDeadlines sets the deadlines of commands queued while a dial was
// in flight, now that the socket is up at now, and returns the last one.
func (q *fifo) startDeadlines(now int64) int64 {
	var last int64
	for i := 0; i < q.size; i++ {
		p := &q.buf[(q.head+i)&(len(q.buf)-1)]
		p.deadline = nextDeadline(i > 0, last, now, p.timeout)
		last = p.deadline
	}
	return last
}

// inboxSize is how many pending commands the reader takes from the FIFO
// at once.
const inboxSize = 128

// inbox holds the pending commands the reader has taken from the FIFO in
// one go, under one lock, to resolve one by one as their replies arrive;
// they are older than every command still in the FIFO. Only the reader
// goroutine touches it.
type inbox struct {
	buf []pending
	i   int
}

// next returns the oldest command in the inbox, removing it.
func (in *inbox) next() (pending, bool) {
	if in.i == len(in.buf) {
		return pending{}, false
	}
	p := in.buf[in.i]
	in.buf[in.i] = pending{}
	in.i++
	return p, true
}

// empty reports whether every command taken into the inbox has been
// answered.
func (in *inbox) empty() bool { return in.i == len(in.buf) }

// head returns the deadline of the oldest command left in the inbox, or
// -1 when it is empty.
func (in *inbox) head() int64 {
	if in.i == len(in.buf) {
		return -1
	}
	return in.buf[in.i].deadline
}

// refill takes up to inboxSize commands from q into the empty inbox.
func (in *inbox) refill(q *fifo) {
	in.buf = q.popN(in.buf[:0], inboxSize)
	in.i = 0
}

// rest empties the inbox and returns what was left in it, in order.
func (in *inbox) rest() []pending {
	left := in.buf[in.i:]
	in.buf, in.i = nil, 0
	return left
}
