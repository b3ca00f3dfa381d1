package jsonvalue

// RoundTrip exposes roundTrip to the tests: the comparison Equal replaced is
// reflect.DeepEqual of both values' round trips.
var RoundTrip = roundTrip

// DecodeFast and DecodeStd expose Decode's two ways, for the tests that hold
// the first to the second.
var DecodeFast, DecodeStd = decodeFast, decodeStd
