package cluster

import (
	"strconv"
)

// CrossSlotError is the error of a multi-key command whose keys hash to
// different slots; it matches ErrCrossSlot.
type CrossSlotError struct {
	Command string // the command name
	Slots   [2]int // two of the slots its keys hash to
}

func (e *CrossSlotError) Error() string {
	return ErrCrossSlot.Error() + ": " + e.Command + " has keys in slots " +
		strconv.Itoa(e.Slots[0]) + " and " + strconv.Itoa(e.Slots[1])
}

// Unwrap returns ErrCrossSlot.
func (e *CrossSlotError) Unwrap() error { return ErrCrossSlot }

func crossSlot(name string, a, b int) error {
	return &CrossSlotError{Command: name, Slots: [2]int{a, b}}
}
