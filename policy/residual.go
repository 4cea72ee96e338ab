package policy

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/iamreach/iamreach/policy/catalog"
)

// CondOp says what a residual Condition node is.
type CondOp uint8

const (
	CondAtom CondOp = iota // Key Operator Values
	CondAnd
	CondOr
	CondNot
)

// Condition is a residual condition: what must hold in the request for a
// discovery-mode decision to be "allowed". A nil *Condition means none.
type Condition struct {
	Op       CondOp
	Key      string   // atoms
	Operator string   // atoms, e.g. "StringEquals", "ForAnyValue:StringLike"
	Values   []string // atoms
	Children []*Condition
}

// String renders the condition readably, e.g.
// `aws:SourceIp IpAddress 10.0.0.0/8 AND sts:ExternalId StringEquals "abc"`.
func (c *Condition) String() string {
	if c == nil {
		return "true"
	}
	var b strings.Builder
	c.write(&b, false)
	return b.String()
}

func (c *Condition) write(b *strings.Builder, nested bool) {
	switch c.Op {
	case CondAtom:
		b.WriteString(c.Key)
		b.WriteByte(' ')
		b.WriteString(c.Operator)
		b.WriteByte(' ')
		op, _ := ParseOperator(c.Operator)
		quote := op.Kind.quoted()
		if len(c.Values) > 1 {
			b.WriteByte('(')
		}
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(" OR ")
			}
			if quote {
				b.WriteString(strconv.Quote(v))
			} else {
				b.WriteString(v)
			}
		}
		if len(c.Values) > 1 {
			b.WriteByte(')')
		}
	case CondNot:
		b.WriteString("NOT (")
		c.Children[0].write(b, false)
		b.WriteByte(')')
	case CondAnd, CondOr:
		sep := " AND "
		if c.Op == CondOr {
			sep = " OR "
		}
		if nested {
			b.WriteByte('(')
		}
		for i, ch := range c.Children {
			if i > 0 {
				b.WriteString(sep)
			}
			ch.write(b, ch.Op == CondAnd || ch.Op == CondOr)
		}
		if nested {
			b.WriteByte(')')
		}
	}
}

// tri is a three-valued truth: known true/false, or unknown with the
// residual condition under which it is true.
type tri struct {
	k int8 // triFalse, triTrue, triUnknown
	c *Condition
}

const (
	triFalse int8 = iota
	triTrue
	triUnknown
)

var (
	vTrue  = tri{k: triTrue}
	vFalse = tri{k: triFalse}
)

func (t tri) isTrue() bool  { return t.k == triTrue }
func (t tri) isFalse() bool { return t.k == triFalse }

func unknown(c *Condition) tri { return tri{k: triUnknown, c: c} }

func and(a, b tri) tri {
	switch {
	case a.k == triFalse || b.k == triFalse:
		return vFalse
	case a.k == triTrue:
		return b
	case b.k == triTrue:
		return a
	}
	return unknown(join(CondAnd, a.c, b.c))
}

func or(a, b tri) tri {
	switch {
	case a.k == triTrue || b.k == triTrue:
		return vTrue
	case a.k == triFalse:
		return b
	case b.k == triFalse:
		return a
	}
	return unknown(join(CondOr, a.c, b.c))
}

func not(a tri) tri {
	switch a.k {
	case triTrue:
		return vFalse
	case triFalse:
		return vTrue
	}
	if a.c.Op == CondNot {
		return unknown(a.c.Children[0])
	}
	if n, ok := negateAtom(a.c); ok {
		return unknown(n)
	}
	return unknown(&Condition{Op: CondNot, Children: []*Condition{a.c}})
}

// join flattens nested nodes of the same kind, drops duplicates and
// applies absorption (A OR (A AND B) = A; A AND (A OR B) = A).
func join(op CondOp, a, b *Condition) *Condition {
	out := &Condition{Op: op}
	add := func(c *Condition) {
		if c.Op == op {
			for _, ch := range c.Children {
				out.addAbsorbing(ch)
			}
			return
		}
		out.addAbsorbing(c)
	}
	add(a)
	add(b)
	if len(out.Children) == 1 {
		return out.Children[0]
	}
	return out
}

// dual is the other connective (AND for OR, OR for AND).
func dual(op CondOp) CondOp {
	if op == CondAnd {
		return CondOr
	}
	return CondAnd
}

// addAbsorbing adds ch to c (an AND or OR node) unless an existing child
// absorbs it, and removes the existing children it absorbs.
func (c *Condition) addAbsorbing(ch *Condition) {
	s := ch.String()
	d := dual(c.Op)
	for _, x := range c.Children {
		if x.String() == s || (ch.Op == d && ch.hasChild(x.String())) {
			return // duplicate, or ch = (x ∘ …) which x absorbs
		}
	}
	kept := c.Children[:0]
	for _, x := range c.Children {
		if x.Op == d && x.hasChild(s) {
			continue // x = (ch ∘ …): ch absorbs it
		}
		kept = append(kept, x)
	}
	c.Children = append(kept, ch)
}

func (c *Condition) hasChild(s string) bool {
	for _, x := range c.Children {
		if x.String() == s {
			return true
		}
	}
	return false
}

var condOpNames = [...]string{"atom", "and", "or", "not"}

// MarshalJSON writes atoms as {"key","operator","values"} and other nodes
// as {"op":"and"|"or"|"not","children":[…]}.
func (c *Condition) MarshalJSON() ([]byte, error) {
	if c.Op == CondAtom {
		return json.Marshal(struct {
			Key      string   `json:"key"`
			Operator string   `json:"operator"`
			Values   []string `json:"values"`
		}{c.Key, c.Operator, c.Values})
	}
	return json.Marshal(struct {
		Op       string       `json:"op"`
		Children []*Condition `json:"children"`
	}{condOpNames[c.Op], c.Children})
}

// negations pairs operators whose results are exact complements, the
// missing key included (a positive operator is false on a missing key, its
// negated form true).
var negations = map[OpKind]OpKind{
	OpStringEquals: OpStringNotEquals, OpStringEqualsIgnoreCase: OpStringNotEqualsIgnoreCase, OpStringLike: OpStringNotLike,
	OpNumericEquals: OpNumericNotEquals, OpDateEquals: OpDateNotEquals, OpIPAddress: OpNotIPAddress,
	OpArnEquals: OpArnNotEquals, OpArnLike: OpArnNotLike,
}

// negateAtom rewrites NOT(atom) as one atom where that is exact: paired
// operators on single-valued keys, Null, and Bool (NOT Bool k v is
// BoolIfExists k !v).
func negateAtom(c *Condition) (*Condition, bool) {
	if c.Op != CondAtom {
		return nil, false
	}
	op, ok := ParseOperator(c.Operator)
	if !ok || op.Set != SetNone || op.IfExists || catalog.MultiValued(c.Key) {
		return nil, false
	}
	out := &Condition{Op: CondAtom, Key: c.Key, Values: c.Values}
	switch op.Kind {
	case OpNull, OpBool:
		if len(c.Values) != 1 {
			return nil, false
		}
		v := strings.ToLower(c.Values[0])
		if v != "true" && v != "false" {
			return nil, false
		}
		flip := "true"
		if v == "true" {
			flip = "false"
		}
		out.Values = []string{flip}
		out.Operator = op.Kind.String()
		if op.Kind == OpBool {
			out.Operator = "BoolIfExists"
		}
		return out, true
	}
	for pos, neg := range negations {
		switch op.Kind {
		case pos:
			out.Operator = neg.String()
			return out, true
		case neg:
			out.Operator = pos.String()
			return out, true
		}
	}
	return nil, false
}
