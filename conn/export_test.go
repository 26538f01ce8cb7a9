package conn

// ViewState reports, for the command set of a context view, how many
// commands it tracks and whether it holds a registration on its context.
func ViewState(c Commands) (live int, registered bool) {
	v := c.s.(*view)
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.live), v.stop != nil
}
