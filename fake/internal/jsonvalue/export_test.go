package jsonvalue

// RoundTrip exposes roundTrip to the tests: the comparison Equal replaced is
// reflect.DeepEqual of both values' round trips.
var RoundTrip = roundTrip
