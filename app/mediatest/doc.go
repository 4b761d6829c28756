// Package mediatest tests media upload and delivery end to end.
package mediatest
