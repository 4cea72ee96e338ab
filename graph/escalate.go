package graph

import (
	"sort"
	"strconv"
	"strings"

	"github.com/iamreach/iamreach/policy"
	"github.com/iamreach/iamreach/policy/catalog"
)

// TechniqueTarget says what a privilege-escalation technique reaches.
type TechniqueTarget string

const (
	// TargetUser: another IAM user of the account (its credentials).
	TargetUser TechniqueTarget = "user"
	// TargetRole: another role of the account (by rewriting its trust).
	TargetRole TechniqueTarget = "role"
	// TargetSelf: the principal grants itself more (→ admin-equivalent).
	TargetSelf TechniqueTarget = "self"
	// TargetPassRole: a role that trusts Service, passed to a new resource
	// the principal creates (iam:PassRole + the service's actions).
	TargetPassRole TechniqueTarget = "passrole"
	// TargetWorkload: the role of an existing workload of WorkloadType, by
	// running code in it.
	TargetWorkload TechniqueTarget = "workload"
)

// Technique is one privilege-escalation primitive, as data: adding one is
// one entry in Techniques. Every required action must be allowed by the
// full evaluation (SCPs, boundaries, conditions) for the edge to exist.
type Technique struct {
	Name   string
	Target TechniqueTarget
	// Actions are all required. For user, role, self-policy and workload
	// techniques they are asked about the target's ARN; for PassRole
	// techniques about any resource the principal may create.
	Actions []string
	// OnSelf lists which ARN the self technique's first action is asked
	// about: "principal" (itself), "group" (a group it is in), "policy" (a
	// customer-managed policy attached to it or its groups), "any" (a new
	// resource).
	OnSelf string
	// Service is the service principal the passed role must trust.
	Service string
	// WorkloadType is the inventory type for workload techniques.
	WorkloadType string
	// AlsoAssume: the principal must then be allowed sts:AssumeRole on the target.
	AlsoAssume bool
	Note       string
}

// Techniques is the table of escalation primitives from
// docs/graph-model.md ("Privilege escalation"), after the list in the
// IAM evaluation notes.
var Techniques = []Technique{
	// IAM on others.
	{Name: "iam:CreateAccessKey", Target: TargetUser, Actions: []string{"iam:CreateAccessKey"}},
	{Name: "iam:CreateLoginProfile", Target: TargetUser, Actions: []string{"iam:CreateLoginProfile"}},
	{Name: "iam:UpdateLoginProfile", Target: TargetUser, Actions: []string{"iam:UpdateLoginProfile"}},
	{Name: "iam:UpdateAssumeRolePolicy+sts:AssumeRole", Target: TargetRole, Actions: []string{"iam:UpdateAssumeRolePolicy"}, AlsoAssume: true},
	// IAM on self.
	{Name: "iam:CreatePolicyVersion", Target: TargetSelf, OnSelf: "policy", Actions: []string{"iam:CreatePolicyVersion"}},
	{Name: "iam:SetDefaultPolicyVersion", Target: TargetSelf, OnSelf: "policy", Actions: []string{"iam:SetDefaultPolicyVersion"}, Note: "needs a non-default version with more permissions"},
	{Name: "iam:PutUserPolicy", Target: TargetSelf, OnSelf: "principal", Actions: []string{"iam:PutUserPolicy"}},
	{Name: "iam:AttachUserPolicy", Target: TargetSelf, OnSelf: "principal", Actions: []string{"iam:AttachUserPolicy"}},
	{Name: "iam:PutRolePolicy", Target: TargetSelf, OnSelf: "principal", Actions: []string{"iam:PutRolePolicy"}},
	{Name: "iam:AttachRolePolicy", Target: TargetSelf, OnSelf: "principal", Actions: []string{"iam:AttachRolePolicy"}},
	{Name: "iam:PutGroupPolicy", Target: TargetSelf, OnSelf: "group", Actions: []string{"iam:PutGroupPolicy"}},
	{Name: "iam:AttachGroupPolicy", Target: TargetSelf, OnSelf: "group", Actions: []string{"iam:AttachGroupPolicy"}},
	{Name: "iam:AddUserToGroup", Target: TargetSelf, OnSelf: "anygroup", Actions: []string{"iam:AddUserToGroup"}, Note: "joins any group, including the most privileged"},
	{Name: "iam:CreateRole+iam:AttachRolePolicy+sts:AssumeRole", Target: TargetSelf, OnSelf: "any", Actions: []string{"iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole"}},
	{Name: "iam:CreateRole+iam:PutRolePolicy+sts:AssumeRole", Target: TargetSelf, OnSelf: "any", Actions: []string{"iam:CreateRole", "iam:PutRolePolicy", "sts:AssumeRole"}},
	// PassRole + compute.
	{Name: "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", Target: TargetPassRole, Service: "lambda.amazonaws.com", Actions: []string{"lambda:CreateFunction", "lambda:InvokeFunction"}},
	{Name: "iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping", Target: TargetPassRole, Service: "lambda.amazonaws.com", Actions: []string{"lambda:CreateFunction", "lambda:CreateEventSourceMapping"}},
	{Name: "iam:PassRole+lambda:CreateFunction+lambda:AddPermission", Target: TargetPassRole, Service: "lambda.amazonaws.com", Actions: []string{"lambda:CreateFunction", "lambda:AddPermission"}},
	{Name: "iam:PassRole+ec2:RunInstances", Target: TargetPassRole, Service: "ec2.amazonaws.com", Actions: []string{"ec2:RunInstances"}},
	{Name: "iam:PassRole+ec2:AssociateIamInstanceProfile", Target: TargetPassRole, Service: "ec2.amazonaws.com", Actions: []string{"ec2:AssociateIamInstanceProfile"}},
	{Name: "iam:PassRole+autoscaling:CreateLaunchConfiguration+autoscaling:CreateAutoScalingGroup", Target: TargetPassRole, Service: "ec2.amazonaws.com", Actions: []string{"autoscaling:CreateLaunchConfiguration", "autoscaling:CreateAutoScalingGroup"}},
	{Name: "iam:PassRole+cloudformation:CreateStack", Target: TargetPassRole, Service: "cloudformation.amazonaws.com", Actions: []string{"cloudformation:CreateStack"}},
	{Name: "iam:PassRole+cloudformation:UpdateStack", Target: TargetPassRole, Service: "cloudformation.amazonaws.com", Actions: []string{"cloudformation:UpdateStack"}},
	{Name: "iam:PassRole+cloudformation:CreateChangeSet+cloudformation:ExecuteChangeSet", Target: TargetPassRole, Service: "cloudformation.amazonaws.com", Actions: []string{"cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"}},
	{Name: "iam:PassRole+cloudformation:CreateStackSet+cloudformation:CreateStackInstances", Target: TargetPassRole, Service: "cloudformation.amazonaws.com", Actions: []string{"cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"}},
	{Name: "iam:PassRole+codebuild:CreateProject+codebuild:StartBuild", Target: TargetPassRole, Service: "codebuild.amazonaws.com", Actions: []string{"codebuild:CreateProject", "codebuild:StartBuild"}},
	{Name: "iam:PassRole+codebuild:UpdateProject+codebuild:StartBuild", Target: TargetPassRole, Service: "codebuild.amazonaws.com", Actions: []string{"codebuild:UpdateProject", "codebuild:StartBuild"}},
	{Name: "iam:PassRole+sagemaker:CreateNotebookInstance", Target: TargetPassRole, Service: "sagemaker.amazonaws.com", Actions: []string{"sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"}},
	{Name: "iam:PassRole+sagemaker:CreateTrainingJob", Target: TargetPassRole, Service: "sagemaker.amazonaws.com", Actions: []string{"sagemaker:CreateTrainingJob"}},
	{Name: "iam:PassRole+sagemaker:CreateProcessingJob", Target: TargetPassRole, Service: "sagemaker.amazonaws.com", Actions: []string{"sagemaker:CreateProcessingJob"}},
	{Name: "iam:PassRole+glue:CreateDevEndpoint", Target: TargetPassRole, Service: "glue.amazonaws.com", Actions: []string{"glue:CreateDevEndpoint"}},
	{Name: "iam:PassRole+glue:CreateJob+glue:StartJobRun", Target: TargetPassRole, Service: "glue.amazonaws.com", Actions: []string{"glue:CreateJob", "glue:StartJobRun"}},
	{Name: "iam:PassRole+ecs:RegisterTaskDefinition+ecs:RunTask", Target: TargetPassRole, Service: "ecs-tasks.amazonaws.com", Actions: []string{"ecs:RegisterTaskDefinition", "ecs:RunTask"}},
	{Name: "iam:PassRole+ecs:RegisterTaskDefinition+ecs:StartTask", Target: TargetPassRole, Service: "ecs-tasks.amazonaws.com", Actions: []string{"ecs:RegisterTaskDefinition", "ecs:StartTask"}},
	{Name: "iam:PassRole+ecs:RegisterTaskDefinition+ecs:CreateService", Target: TargetPassRole, Service: "ecs-tasks.amazonaws.com", Actions: []string{"ecs:RegisterTaskDefinition", "ecs:CreateService"}},
	{Name: "iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition+datapipeline:ActivatePipeline", Target: TargetPassRole, Service: "datapipeline.amazonaws.com", Actions: []string{"datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"}},
	{Name: "iam:PassRole+apprunner:CreateService", Target: TargetPassRole, Service: "tasks.apprunner.amazonaws.com", Actions: []string{"apprunner:CreateService"}},
	// On running workloads.
	{Name: "lambda:UpdateFunctionCode", Target: TargetWorkload, WorkloadType: "lambda:function", Actions: []string{"lambda:UpdateFunctionCode"}},
	{Name: "lambda:UpdateFunctionConfiguration", Target: TargetWorkload, WorkloadType: "lambda:function", Actions: []string{"lambda:UpdateFunctionConfiguration"}, Note: "e.g. adds a layer or changes the handler to run other code"},
	{Name: "ssm:SendCommand", Target: TargetWorkload, WorkloadType: "ec2:instance", Actions: []string{"ssm:SendCommand"}},
	{Name: "ssm:StartSession", Target: TargetWorkload, WorkloadType: "ec2:instance", Actions: []string{"ssm:StartSession"}},
	{Name: "ec2-instance-connect:SendSSHPublicKey", Target: TargetWorkload, WorkloadType: "ec2:instance", Actions: []string{"ec2-instance-connect:SendSSHPublicKey"}},
	{Name: "ecs:ExecuteCommand", Target: TargetWorkload, WorkloadType: "ecs:task", Actions: []string{"ecs:ExecuteCommand"}},
	{Name: "codebuild:StartBuild (buildspec override)", Target: TargetWorkload, WorkloadType: "codebuild:project", Actions: []string{"codebuild:StartBuild"}},
}

// markAdmins marks principals whose policies allow every action on every
// resource (decided for the action "*", so a boundary, SCP or NotAction
// that limits them leaves them unmarked).
func (b *builder) markAdmins() {
	for _, p := range b.prins {
		a := b.actorOf(p)
		t := target{nodeID: ScopeID("*", p.account), arn: "*", res: policy.Resource{ARN: "*", Account: p.account, OrgID: b.orgIDOf(p.account)}, account: p.account, rcps: b.rcps[p.account]}
		if res, cond := b.check(a, "*", &t, nil); res == policy.Allowed && cond == nil {
			p.admin = true
			b.setProp(p.arn, "admin", "true")
			b.setProp(p.arn, "adminReason", "policy allows * on *")
		}
	}
}

// esc is one successful technique step.
type esc struct {
	grants      []ActionGrant
	ev, denies  []Evidence
	conditional bool
	conds       []string
}

// escalator holds one principal's cached "can it do this somewhere" answers.
type escalator struct {
	b     *builder
	p     *principal
	a     *actor
	cache map[string]*esc
	// same interns step results by what they say (action, condition and
	// the statements cited), so that steps decided alike on many targets
	// (iam:PassRole on every role of the account) are one value, and joins
	// of them are computed once (joins).
	same  map[string]*esc
	joins map[[2]*esc]*esc
	// joinsN caches joinAll by its (up to four) interned steps.
	joinsN map[[4]*esc]*esc
	// onTarget caches decisions on workloads without a resource policy by
	// action and resource signature.
	onTarget map[string]*esc
	keyBuf   []byte
	workBuf  []byte
}

// anywhere decides whether the principal may do action on some resource
// its identity policies name for it (each Allow statement's resource
// patterns are asked about, as a stand-in for a resource it creates).
func (x *escalator) anywhere(action string) *esc {
	if r, ok := x.cache[action]; ok {
		return r
	}
	var best *esc
	for _, as := range x.p.allows {
		if !stmtMatchesAction(as.stmt, action) {
			continue
		}
		rps := as.stmt.Resources
		if len(as.stmt.NotResources) > 0 {
			rps = []string{"*"}
		}
		for _, rp := range rps {
			acct := arnAccount(rp)
			if acct == "" || strings.ContainsAny(acct, "*?") {
				acct = x.p.account
			}
			t := target{nodeID: rp, arn: rp, res: policy.Resource{ARN: rp, Account: acct, OrgID: x.b.orgIDOf(acct)}, account: acct, rcps: x.b.rcps[acct]}
			if r := x.on(action, &t, nil); r != nil && (best == nil || (best.conditional && !r.conditional)) {
				best = r
			}
		}
	}
	x.cache[action] = best
	return best
}

// on decides one action on one target.
func (x *escalator) on(action string, t *target, ctx map[string][]string) *esc {
	d := x.b.eval(x.a, action, t, ctx)
	if d.Result != policy.Allowed {
		return nil
	}
	// The step's content is a function of the action, the residual and the
	// statements the decision cites: intern it by those.
	key := x.keyBuf[:0]
	key = append(key, action...)
	key = append(key, 0)
	if d.Residual != nil {
		key = append(key, d.Residual.String()...)
	}
	for _, list := range [][]policy.StatementRef{d.Explanation.Allowing, d.Explanation.ConditionalDenies} {
		key = append(key, 0, 0)
		for _, r := range list {
			key = append(key, 0)
			key = append(key, r.PolicyKind...)
			key = append(key, 0)
			key = append(key, r.PolicyID...)
			key = append(key, 0)
			key = append(key, r.Level...)
			key = append(key, 0)
			key = strconv.AppendInt(key, int64(r.StatementIndex), 10)
		}
	}
	x.keyBuf = key
	if r, ok := x.same[string(key)]; ok {
		return r
	}
	r := x.decided(action, d)
	x.same[string(key)] = r
	return r
}

// decided is the step of an allowed decision.
func (x *escalator) decided(action string, d *policy.Decision) *esc {
	r := &esc{ev: x.b.evidence(d.Explanation.Allowing, x.a), denies: x.b.evidence(d.Explanation.ConditionalDenies, x.a)}
	g := ActionGrant{Action: action, Level: catalog.Level(action)}
	if d.Residual != nil {
		r.conditional = true
		g.Condition = d.Residual.String()
		r.conds = []string{g.Condition}
	}
	r.grants = []ActionGrant{g}
	return r
}

func (x *escalator) onARN(action, arn, account string) *esc {
	t := target{nodeID: arn, arn: arn, res: policy.Resource{ARN: arn, Account: account, OrgID: x.b.orgIDOf(account)}, account: account, rcps: x.b.rcps[account]}
	if p, ok := x.b.prinByARN[arn]; ok {
		t.res.Tags = p.node.Tags
	}
	return x.on(action, &t, nil)
}

// join2 is join of two interned steps, computed once per pair.
func (x *escalator) join2(a, b *esc) *esc {
	if a == nil || b == nil {
		return nil
	}
	k := [2]*esc{a, b}
	if r, ok := x.joins[k]; ok {
		return r
	}
	r := join(a, b)
	x.joins[k] = r
	return r
}

// joinAll is join of up to four interned steps, computed once per tuple.
func (x *escalator) joinAll(steps []*esc) *esc {
	if len(steps) > 4 {
		return join(steps...)
	}
	var k [4]*esc
	for i, st := range steps {
		if st == nil {
			return nil
		}
		k[i] = st
	}
	if r, ok := x.joinsN[k]; ok {
		return r
	}
	r := join(steps...)
	x.joinsN[k] = r
	return r
}

func join(parts ...*esc) *esc {
	out := &esc{}
	for _, p := range parts {
		if p == nil {
			return nil
		}
		out.grants = append(out.grants, p.grants...)
		out.ev = mergeEvidence(out.ev, p.ev)
		out.denies = mergeEvidence(out.denies, p.denies)
		out.conditional = out.conditional || p.conditional
		out.conds = append(out.conds, p.conds...)
	}
	return out
}

// deriveEscalation adds CAN_ESCALATE edges from one principal: one edge
// per target principal, by the first technique of the table that works
// (the others that also work are named in the evidence). Admin-equivalent
// principals are marked, not multiplied: they get no escalation edges.
func (b *builder) deriveEscalation(p *principal) {
	if p.admin {
		return
	}
	x := &escalator{b: b, p: p, a: b.actorOf(p), cache: map[string]*esc{}, same: map[string]*esc{}, joins: map[[2]*esc]*esc{}, joinsN: map[[4]*esc]*esc{}, onTarget: map[string]*esc{}}
	// passes: iam:PassRole on a role for a service, decided once whatever
	// the technique.
	passes := map[[2]string]*esc{}
	found := map[string][]string{} // target → techniques, in table order
	first := map[string]*esc{}
	record := func(to, tech string, r *esc) {
		if r == nil || to == p.arn {
			return
		}
		if _, ok := first[to]; !ok {
			first[to] = r
		}
		found[to] = append(found[to], tech)
	}
	var selfTech []string
	var selfEsc *esc
	for _, t := range Techniques {
		if !p.mayAllow(t.Actions[0]) {
			continue
		}
		switch t.Target {
		case TargetUser:
			for _, u := range b.prinsByAcct[p.account] {
				if u.isRole || u == p {
					continue
				}
				steps := make([]*esc, 0, len(t.Actions))
				for _, act := range t.Actions {
					steps = append(steps, x.onARN(act, u.arn, u.account))
				}
				record(u.arn, t.Name, x.joinAll(steps))
			}
		case TargetRole:
			for _, r := range b.prinsByAcct[p.account] {
				if !r.isRole || r == p {
					continue
				}
				steps := []*esc{}
				for _, act := range t.Actions {
					steps = append(steps, x.onARN(act, r.arn, r.account))
				}
				if t.AlsoAssume {
					// After rewriting the trust policy to name itself, only the
					// caller's identity side remains to be decided.
					steps = append(steps, x.onARN("sts:AssumeRole", r.arn, r.account))
				}
				record(r.arn, t.Name, x.joinAll(steps))
			}
		case TargetSelf:
			var r *esc
			switch t.OnSelf {
			case "principal":
				if (t.Actions[0] == "iam:PutUserPolicy" || t.Actions[0] == "iam:AttachUserPolicy") == p.isRole {
					continue
				}
				r = x.onARN(t.Actions[0], p.arn, p.account)
			case "group":
				for _, g := range p.groupARNs {
					if r = x.onARN(t.Actions[0], g, p.account); r != nil {
						break
					}
				}
			case "anygroup":
				if p.isRole {
					continue
				}
				for _, g := range b.accounts[p.account].Groups {
					if r = x.onARN(t.Actions[0], g.ARN, p.account); r != nil {
						break
					}
				}
			case "policy":
				for _, pa := range b.customerPolicies(p) {
					if r = x.onARN(t.Actions[0], pa, p.account); r != nil {
						break
					}
				}
			case "any":
				steps := []*esc{}
				for _, act := range t.Actions {
					steps = append(steps, x.anywhere(act))
				}
				r = join(steps...)
			}
			if r != nil {
				selfTech = append(selfTech, t.Name)
				if selfEsc == nil {
					selfEsc = r
				}
			}
		case TargetPassRole:
			var steps []*esc
			for _, act := range t.Actions {
				steps = append(steps, x.anywhere(act))
			}
			compute := join(steps...)
			if compute == nil {
				continue
			}
			for _, r := range b.prinsByAcct[p.account] {
				if !r.isRole || r == p || !trusts(r, t.Service) {
					continue
				}
				pk := [2]string{r.arn, t.Service}
				pass, ok := passes[pk]
				if !ok {
					tr := target{nodeID: r.arn, arn: r.arn, res: policy.Resource{ARN: r.arn, Account: r.account, Tags: r.node.Tags, OrgID: b.orgIDOf(r.account)}, account: r.account, rcps: b.rcps[r.account]}
					pass = x.on("iam:PassRole", &tr, map[string][]string{"iam:PassedToService": {t.Service}})
					passes[pk] = pass
				}
				record(r.arn, t.Name, x.join2(pass, compute))
			}
		case TargetWorkload:
			for _, w := range b.res.inService(strings.SplitN(t.WorkloadType, ":", 2)[0], p.account) {
				if w.src.Type != t.WorkloadType || len(w.src.RunsAs) == 0 {
					continue
				}
				tw := b.targetOf(w, w.src.ARN)
				var steps []*esc
				for _, act := range t.Actions {
					steps = append(steps, x.onWorkload(act, w, &tw))
				}
				r := x.joinAll(steps)
				for _, role := range w.src.RunsAs {
					record(role, t.Name+" on "+w.src.ARN, r)
				}
			}
		}
	}
	targets := make([]string, 0, len(first))
	for to := range first {
		targets = append(targets, to)
	}
	sort.Strings(targets)
	for _, to := range targets {
		r := first[to]
		techs := found[to]
		// Steps are shared between targets: each edge gets its own slices.
		e := Edge{Kind: EdgeCanEscalate, From: p.arn, To: to, Technique: techs[0],
			Actions: append([]ActionGrant(nil), r.grants...), Evidence: append(make([]Evidence, 0, len(r.ev)+1), r.ev...), Denies: append([]Evidence(nil), r.denies...)}
		if r.conditional {
			e.Conditional, e.Condition = true, strings.Join(uniqueStrings(r.conds), " AND ")
		}
		if len(techs) > 1 {
			e.Evidence = append(e.Evidence, Evidence{PolicyType: PolicyStructural, PolicyID: p.arn, Effect: "Allow", Note: "also by: " + strings.Join(techs[1:], "; ")})
		}
		b.addEdge(e)
	}
	if selfEsc != nil {
		b.ensureScope("*", p.account)
		g := ActionGrant{Action: "*", Level: LevelMixed}
		if selfEsc.conditional {
			g.Condition = strings.Join(uniqueStrings(selfEsc.conds), " AND ")
		}
		ev := append(append([]Evidence{}, selfEsc.ev...), Evidence{PolicyType: PolicyStructural, PolicyID: p.arn, Effect: "Allow", Note: "self-escalation to admin by " + strings.Join(selfTech, "; ")})
		b.emitAccess(p.arn, ScopeID("*", p.account), []ActionGrant{g}, ev, selfEsc.denies, "")
		if !selfEsc.conditional {
			b.setProp(p.arn, "admin", "true")
			b.setProp(p.arn, "adminReason", "self-escalation by "+selfTech[0])
		}
	}
}

// onWorkload is on for a workload: workloads without a resource policy
// that no statement tells apart (same resource signature) get the same
// decision and the same cited statements, so one is decided for all.
func (x *escalator) onWorkload(action string, w *resource, t *target) *esc {
	if w.named != nil {
		return x.on(action, t, nil)
	}
	sig := x.b.resourceSignature(x.a, w)
	if len(sig) == 0 {
		return x.on(action, t, nil)
	}
	k := append(append(append(x.workBuf[:0], action...), 0), sig...)
	x.workBuf = k
	if r, ok := x.onTarget[string(k)]; ok {
		return r
	}
	r := x.on(action, t, nil) // uses neither workBuf nor the signature buffer
	x.onTarget[string(k)] = r
	return r
}

func uniqueStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// customerPolicies lists the customer-managed policies attached to a
// principal or its groups (the ones CreatePolicyVersion can rewrite).
func (b *builder) customerPolicies(p *principal) []string {
	var out []string
	for _, np := range p.identity {
		if strings.HasPrefix(np.ID, "arn:aws:iam::") && strings.Contains(np.ID, ":policy/") && !strings.HasPrefix(np.ID, "arn:aws:iam::aws:") {
			out = append(out, np.ID)
		}
	}
	return uniqueStrings(out)
}

// trusts says whether a role's trust policy allows a service principal.
func trusts(r *principal, service string) bool {
	if r.trust == nil {
		return false
	}
	for _, s := range r.trust.Policy.Statements() {
		if s.Effect != "Allow" {
			continue
		}
		for _, v := range s.Principals["Service"] {
			if strings.EqualFold(v, service) {
				return true
			}
		}
	}
	return false
}

// propagateAdmin marks every principal that can become an admin-equivalent
// one by unconditional CAN_ASSUME or CAN_ESCALATE edges (transitively).
func (b *builder) propagateAdmin() {
	in := map[string][]*Edge{}
	for _, e := range b.allEdges() {
		if (e.Kind == EdgeCanAssume || e.Kind == EdgeCanEscalate) && !e.Conditional {
			in[e.To] = append(in[e.To], e)
		}
	}
	var queue []string
	for _, p := range b.prins {
		if n := b.nodes[p.arn]; n.Props["admin"] == "true" {
			queue = append(queue, p.arn)
		}
	}
	sort.Strings(queue)
	for len(queue) > 0 {
		to := queue[0]
		queue = queue[1:]
		es := in[to]
		sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
		for _, e := range es {
			p, ok := b.prinByARN[e.From]
			if !ok {
				continue
			}
			if n := b.nodes[p.arn]; n.Props["admin"] == "true" {
				continue
			}
			b.setProp(p.arn, "admin", "true")
			b.setProp(p.arn, "adminReason", "can become "+to+" ("+string(e.Kind)+")")
			queue = append(queue, p.arn)
		}
	}
}
