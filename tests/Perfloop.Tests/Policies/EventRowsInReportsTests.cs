using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Reports;

namespace Perfloop.Tests.Policies;

public class EventRowsInReportsTests
{
    [Fact]
    public void Event_rows_are_not_plotted_as_experiments_and_a_milestone_marks_its_keep()
    {
        ResultRow[] rows =
        [
            Rows.Baseline(), Rows.Keep(1), Rows.Discard(2),
            new PolicyEvent(PolicyEvents.PlateauCheck, "", "candidates left", "no ranking").ToRow(2, DateTimeOffset.UnixEpoch, "cpu", "wall_ms"),
            Rows.Keep(3),
            new PolicyEvent(PolicyEvents.Milestone, "", "perfloop/milestone-v1", "v1 — 2/3").ToRow(3, DateTimeOffset.UnixEpoch, "cpu", "wall_ms"),
        ];
        var report = SessionReport.Build(rows);
        Assert.Equal(4, report.Points.Count);
        Assert.Equal(3, report.Experiments);
        var milestone = Assert.Single(report.Events, e => e.Kind == SessionEventKind.Milestone);
        Assert.Equal((3, "v1"), (report.Points[milestone.Index].Row.Experiment, milestone.Label));
    }
}
