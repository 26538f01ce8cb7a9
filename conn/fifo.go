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

func (q *fifo) len() int { return q.size }

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
