package outcomes

// CSVSafe exposes csvSafe to the package's external tests.
var CSVSafe = csvSafe
