package percent

import "testing"

func TestOfRoundsToNearestButKeepsNoneAndAllExact(t *testing.T) {
	for _, tc := range []struct{ part, whole, want int }{
		{0, 0, 0}, {0, 5, 0}, {5, 5, 100}, {1, 3, 33}, {2, 3, 67}, {1, 8, 13},
		{199, 200, 99}, {1, 1000, 1}, {4, 1000, 1}, {6, 1000, 1}, {994, 1000, 99}, {996, 1000, 99},
	} {
		if got := Of(tc.part, tc.whole); got != tc.want {
			t.Errorf("Of(%d, %d) = %d, want %d", tc.part, tc.whole, got, tc.want)
		}
	}
}

func TestLabelSaysDashWhenThereIsNoWhole(t *testing.T) {
	if got := Label(1, 0); got != "—" {
		t.Errorf("Label(1, 0) = %q", got)
	}
	if got := Label(2, 3); got != "67%" {
		t.Errorf("Label(2, 3) = %q", got)
	}
}
