package monitoring_test

import (
	"testing"

	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
