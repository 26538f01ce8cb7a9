package main

import "errors"

func openTxredisPool(addr string, size int) (driver, error) {
	return nil, errors.New("txredis-pool: not built yet")
}
