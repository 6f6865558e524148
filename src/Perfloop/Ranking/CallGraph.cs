namespace Perfloop.Ranking;

/// <summary>
/// A call graph as deterministic profilers record it (callgrind, cProfile): each function's own cost, each
/// caller → callee arc's inclusive cost, and each function's inclusive cost. <see cref="ToProfile"/> turns it into
/// the stacks the ranking reads, with every function's own cost exact and its inclusive cost given alongside.
/// </summary>
/// <remarks>
/// The graph has no calling contexts, so each function's own cost is walked up to the program's entry through its
/// callers in proportion to the arcs' costs (the gprof assumption). Walking up, not down, keeps self cost exact even
/// through cycles — Python's exec, which runs both the main module and every import, makes one in every program —
/// because a path simply ends where it would repeat a frame. The stacks then serve what needs a context (the
/// innermost repository frame that pays for a library call); inclusive shares come from the profiler's own figures.
/// </remarks>
sealed class CallGraph
{
    /// <summary>Paths lighter than this share of the total end where they are, which bounds the walk.</summary>
    const double CutoffShare = 1e-5;

    const int MaxDepth = 200;

    const int MaxSteps = 2_000_000;

    readonly FrameTable _frames = new();
    readonly List<double> _self = [];
    readonly List<double?> _inclusive = [];
    readonly List<Dictionary<int, double>> _callers = [];
    readonly List<double> _calleeCost = [];

    public IReadOnlyList<ProfileFrame> Frames => _frames.Frames;

    public int Node(ProfileFrame frame)
    {
        var index = _frames.Intern(frame);
        while (_self.Count <= index)
        {
            _self.Add(0);
            _inclusive.Add(null);
            _callers.Add([]);
            _calleeCost.Add(0);
        }
        return index;
    }

    public void AddSelf(int node, double cost)
    {
        if (cost > 0)
        {
            _self[node] += cost;
        }
    }

    public void AddCall(int caller, int callee, double inclusiveCost)
    {
        if (inclusiveCost <= 0 || caller == callee)
        {
            return;
        }

        var callers = _callers[callee];
        callers[caller] = callers.GetValueOrDefault(caller) + inclusiveCost;
        _calleeCost[caller] += inclusiveCost;
    }

    /// <summary>The function's inclusive cost as the profiler measured it (cProfile's cumulative time, which counts recursion once).</summary>
    public void SetInclusive(int node, double inclusive) => _inclusive[node] = inclusive;

    public Profile ToProfile(ProfileFormat format, string unit, IReadOnlyList<string> notes)
    {
        var count = _self.Count;
        var total = _self.Sum();
        var stacks = new StackAccumulator();
        if (total > 0)
        {
            Walk(stacks, total * CutoffShare);
        }

        var inclusive = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Without a measured figure: what its callers spent in it, or for an entry point, itself and its callees.
            var measured = _inclusive[i] ?? (_callers[i].Count > 0 ? Math.Max(_self[i], _callers[i].Values.Sum()) : _self[i] + _calleeCost[i]);
            inclusive[i] = Math.Min(measured, total);
        }
        return new Profile(format, Frames, stacks.Samples, unit) { Notes = notes, InclusiveWeights = inclusive };
    }

    void Walk(StackAccumulator stacks, double cutoff)
    {
        var callers = _callers.Select(c => c.OrderBy(p => p.Key).ToArray()).ToArray();
        var sums = _callers.Select(c => c.Values.Sum()).ToArray();
        var path = new List<int>();
        var onPath = new bool[_self.Count];
        var steps = 0;

        void Emit(double weight)
        {
            var stack = new int[path.Count];
            for (var i = 0; i < stack.Length; i++)
            {
                stack[i] = path[path.Count - 1 - i];
            }

            stacks.Add(stack, weight);
        }

        void Up(int node, double weight)
        {
            path.Add(node);
            onPath[node] = true;
            steps++;
            if (callers[node].Length == 0 || weight < cutoff || path.Count >= MaxDepth || steps >= MaxSteps)
            {
                Emit(weight);
            }
            else
            {
                var stopped = 0.0;
                foreach (var (caller, cost) in callers[node])
                {
                    var share = weight * cost / sums[node];
                    if (onPath[caller])
                    {
                        stopped += share;
                    }
                    else
                    {
                        Up(caller, share);
                    }
                }
                if (stopped > 0)
                {
                    Emit(stopped);
                }
            }
            onPath[node] = false;
            path.RemoveAt(path.Count - 1);
        }

        for (var node = 0; node < _self.Count; node++)
        {
            if (_self[node] > 0)
            {
                Up(node, _self[node]);
            }
        }
    }
}
