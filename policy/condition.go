package policy

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamreach/iamreach/policy/catalog"
)

// OpKind is the closed set of base condition operators.
type OpKind uint8

const (
	OpStringEquals OpKind = iota
	OpStringNotEquals
	OpStringEqualsIgnoreCase
	OpStringNotEqualsIgnoreCase
	OpStringLike
	OpStringNotLike
	OpNumericEquals
	OpNumericNotEquals
	OpNumericLessThan
	OpNumericLessThanEquals
	OpNumericGreaterThan
	OpNumericGreaterThanEquals
	OpDateEquals
	OpDateNotEquals
	OpDateLessThan
	OpDateLessThanEquals
	OpDateGreaterThan
	OpDateGreaterThanEquals
	OpBool
	OpBinaryEquals
	OpIPAddress
	OpNotIPAddress
	OpArnEquals
	OpArnLike
	OpArnNotEquals
	OpArnNotLike
	OpNull
	opCount
)

var opNames = [opCount]string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

func (o OpKind) String() string {
	if o < opCount {
		return opNames[o]
	}
	return "Unknown"
}

// negated operators are true when no value matches; they are evaluated as
// the negation of their positive counterpart.
func (o OpKind) positive() (OpKind, bool) {
	switch o {
	case OpStringNotEquals:
		return OpStringEquals, true
	case OpStringNotEqualsIgnoreCase:
		return OpStringEqualsIgnoreCase, true
	case OpStringNotLike:
		return OpStringLike, true
	case OpNumericNotEquals:
		return OpNumericEquals, true
	case OpDateNotEquals:
		return OpDateEquals, true
	case OpNotIPAddress:
		return OpIPAddress, true
	case OpArnNotEquals:
		return OpArnEquals, true
	case OpArnNotLike:
		return OpArnLike, true
	}
	return o, false
}

// SetQualifier is ForAnyValue / ForAllValues or none.
type SetQualifier uint8

const (
	SetNone SetQualifier = iota
	SetForAnyValue
	SetForAllValues
)

// Operator is a full condition operator: base, set qualifier, IfExists.
type Operator struct {
	Kind     OpKind
	Set      SetQualifier
	IfExists bool
}

func (o Operator) String() string {
	var b strings.Builder
	switch o.Set {
	case SetForAnyValue:
		b.WriteString("ForAnyValue:")
	case SetForAllValues:
		b.WriteString("ForAllValues:")
	}
	b.WriteString(o.Kind.String())
	if o.IfExists {
		b.WriteString("IfExists")
	}
	return b.String()
}

// ParseOperator parses "ForAnyValue:StringLikeIfExists" and the like.
// Operator names are case-sensitive as in AWS.
func ParseOperator(s string) (Operator, bool) {
	var o Operator
	if rest, ok := strings.CutPrefix(s, "ForAnyValue:"); ok {
		o.Set, s = SetForAnyValue, rest
	} else if rest, ok := strings.CutPrefix(s, "ForAllValues:"); ok {
		o.Set, s = SetForAllValues, rest
	}
	if rest, ok := strings.CutSuffix(s, "IfExists"); ok && rest != "Null" {
		o.IfExists, s = true, rest
	}
	for i, n := range opNames {
		if n == s {
			o.Kind = OpKind(i)
			return o, true
		}
	}
	return o, false
}

// condValue is one policy value with its pre-parsed forms.
type condValue struct {
	raw    string
	vars   bool // contains ${...} to resolve per request
	num    number
	numOK  bool
	date   time.Time
	dateOK bool
	prefix netip.Prefix
	ipOK   bool
	arn    resourcePattern
}

// cond is one compiled (operator, key, values) entry.
type cond struct {
	op       Operator
	key      string // as written
	lowerKey string
	multi    bool // the key is multivalued (ArrayOf…)
	values   []condValue
	// opText and rawValues: the operator and values as written, for
	// explanations.
	opText    string
	rawValues []string
}

func parseConditions(idx int, raw json.RawMessage, version string) ([]cond, error) {
	ops, err := decodeObject(raw)
	if err != nil {
		return nil, perr(idx, "Condition", CodeInvalidCondition, "Condition must be an object: %v", err)
	}
	var out []cond
	for _, ov := range ops {
		op, ok := ParseOperator(ov.key)
		if !ok && strings.HasSuffix(ov.key, "NullIfExists") {
			return nil, perr(idx, "Condition."+ov.key, CodeNullWithIfExists, "the Null operator cannot be used with IfExists")
		}
		if !ok {
			return nil, perr(idx, "Condition."+ov.key, CodeInvalidOperator, "unknown condition operator %q", ov.key)
		}
		if firstByte(ov.val) != '{' {
			return nil, perr(idx, "Condition."+ov.key, CodeInvalidCondition, "operator %s must map condition keys to values", ov.key)
		}
		keys, err := decodeObject(ov.val)
		if err != nil {
			return nil, perr(idx, "Condition."+ov.key, CodeInvalidCondition, "%v", err)
		}
		for _, kv := range keys {
			field := "Condition." + ov.key + "." + kv.key
			vals, ok := scalarOrList(kv.val)
			if !ok {
				return nil, perr(idx, field, CodeInvalidFieldType, "condition values must be strings, numbers or booleans")
			}
			if len(vals) == 0 {
				return nil, perr(idx, field, CodeInvalidConditionVal, "empty list of condition values")
			}
			c := cond{op: op, key: kv.key, lowerKey: strings.ToLower(kv.key), multi: catalog.MultiValued(kv.key)}
			for _, v := range vals {
				cv, err := compileValue(op.Kind, v, version)
				if err != nil {
					return nil, perr(idx, field, CodeInvalidConditionVal, "%s", err.Error())
				}
				c.values = append(c.values, cv)
				c.rawValues = append(c.rawValues, v)
			}
			c.opText = ov.key
			out = append(out, c)
		}
	}
	return out, nil
}

type valueError string

func (e valueError) Error() string { return string(e) }

func compileValue(k OpKind, v, version string) (condValue, error) {
	cv := condValue{raw: v}
	if version == "2012-10-17" && strings.Contains(v, "${") {
		switch k {
		case OpStringEquals, OpStringNotEquals, OpStringEqualsIgnoreCase, OpStringNotEqualsIgnoreCase,
			OpStringLike, OpStringNotLike, OpArnEquals, OpArnLike, OpArnNotEquals, OpArnNotLike:
			cv.vars = true
			return cv, nil
		}
	}
	pk, _ := k.positive()
	switch pk {
	case OpNumericEquals, OpNumericLessThan, OpNumericLessThanEquals, OpNumericGreaterThan, OpNumericGreaterThanEquals:
		r, ok := parseNumber(v)
		if !ok {
			return cv, valueError("value " + strconv.Quote(v) + " is not a number")
		}
		cv.num, cv.numOK = r, true
	case OpDateEquals, OpDateLessThan, OpDateLessThanEquals, OpDateGreaterThan, OpDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return cv, valueError("value " + strconv.Quote(v) + " is not a date (ISO 8601 or epoch seconds)")
		}
		cv.date, cv.dateOK = t, true
	case OpIPAddress:
		p, ok := parseCIDR(v)
		if !ok {
			return cv, valueError("value " + strconv.Quote(v) + " is not an IP address or CIDR")
		}
		cv.prefix, cv.ipOK = p, true
	case OpArnEquals, OpArnLike:
		cv.arn = compileResource(v, "")
	case OpNull, OpBool:
		l := strings.ToLower(v)
		if l != "true" && l != "false" {
			return cv, valueError("value " + strconv.Quote(v) + " is not true or false")
		}
	}
	return cv, nil
}

// number is a parsed numeric condition value: an integer when it has
// no fraction or exponent, a float otherwise.
type number struct {
	i     int64
	f     float64
	isInt bool
}

func (a number) cmp(b number) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	x, y := a.f, b.f
	if a.isInt {
		x = float64(a.i)
	}
	if b.isInt {
		y = float64(b.i)
	}
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// parseNumber parses integers and decimals without allocating.
func parseNumber(s string) (number, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return number{}, false
	}
	digits, other := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case (c == '-' || c == '+') && i == 0:
		case c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+':
			digits = false
		default:
			other = true
		}
	}
	if other || s == "-" || s == "+" {
		return number{}, false
	}
	if digits {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return number{i: n, isInt: true}, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return number{}, false
	}
	return number{f: f}, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01-02T15:04:05.999999999",
}

// parseDate accepts ISO 8601 dates and times (with or without zone) and
// epoch seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		if strings.IndexByte(s, '.') < 0 {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return time.Unix(n, 0).UTC(), true
			}
		} else if f, err := strconv.ParseFloat(s, 64); err == nil {
			sec := math.Floor(f)
			return time.Unix(int64(sec), int64((f-sec)*1e9)).UTC(), true
		}
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// isEpoch: digits with at most one decimal point (epoch seconds).
func isEpoch(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		case c == '-' && i == 0 && len(s) > 1:
		default:
			return false
		}
	}
	return true
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// matchOne applies a positive base operator to one context value and one
// (resolved) policy value.
func matchOne(k OpKind, ctx string, pv *condValue, resolved string) bool {
	return matchOneQ(k, ctx, pv, resolved, 0)
}

func matchOneQ(k OpKind, ctx string, pv *condValue, resolved string, q quirks) bool {
	switch k {
	case OpStringEquals:
		return ctx == resolved
	case OpStringEqualsIgnoreCase:
		return strings.EqualFold(ctx, resolved)
	case OpStringLike:
		return wildcardMatch(resolved, ctx, false, pv.vars)
	case OpNumericEquals, OpNumericLessThan, OpNumericLessThanEquals, OpNumericGreaterThan, OpNumericGreaterThanEquals:
		n, ok := parseNumber(ctx)
		if !ok || !pv.numOK {
			return false
		}
		c := n.cmp(pv.num)
		switch k {
		case OpNumericEquals:
			return c == 0
		case OpNumericLessThan:
			return c < 0
		case OpNumericLessThanEquals:
			return c <= 0
		case OpNumericGreaterThan:
			return c > 0
		}
		return c >= 0
	case OpDateEquals, OpDateLessThan, OpDateLessThanEquals, OpDateGreaterThan, OpDateGreaterThanEquals:
		t, ok := parseDate(ctx)
		if !ok || !pv.dateOK {
			return false
		}
		pd := pv.date
		if q&quirkEpochMillis != 0 {
			t, pd = epochAsMillis(ctx, t), epochAsMillis(pv.raw, pd)
		}
		c := t.Compare(pd)
		switch k {
		case OpDateEquals:
			return c == 0
		case OpDateLessThan:
			return c < 0
		case OpDateLessThanEquals:
			return c <= 0
		case OpDateGreaterThan:
			return c > 0
		}
		return c >= 0
	case OpBool:
		return strings.EqualFold(ctx, resolved)
	case OpBinaryEquals:
		return ctx == resolved
	case OpIPAddress:
		a, err := netip.ParseAddr(strings.TrimSpace(ctx))
		if err != nil || !pv.ipOK {
			return false
		}
		return pv.prefix.Contains(a.Unmap()) || pv.prefix.Contains(a)
	case OpArnEquals, OpArnLike:
		if pv.vars {
			r := compileResolved(resolved)
			return r.match(ctx)
		}
		return pv.arn.match(ctx)
	}
	return false
}

// isQuoted says whether residual output should quote the operator's values.
func (k OpKind) quoted() bool {
	pk, _ := k.positive()
	switch pk {
	case OpStringEquals, OpStringEqualsIgnoreCase, OpStringLike, OpArnEquals, OpArnLike, OpBinaryEquals:
		return true
	}
	return false
}

// epochAsMillis reproduces iam-simulate's reading of an integer epoch date
// as milliseconds (quirk D10).
func epochAsMillis(raw string, t time.Time) time.Time {
	raw = strings.TrimSpace(raw)
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && isEpoch(raw) {
		return time.UnixMilli(n).UTC()
	}
	return t
}
