package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A figure's one-line title fits its chart: a long title widens the chart instead of being cut at both edges. */
class ChartsTest {
    static Series line() {
        return new Series("a", List.of(new Series.Point(1, Interval.of(new double[] {1, 2})), new Series.Point(2,
                Interval.of(new double[] {2, 3}))));
    }

    @Test
    void aShortTitleKeepsTheUsualWidth() {
        assertEquals(760, Charts.widthFor(40));
        assertEquals(760, Charts.vsDepth("short", "y", List.of(line()), false).image().getWidth());
    }

    @Test
    void aLongTitleWidensTheChartByItsLength() {
        String title = "Rate of ln(training loss) per step against Du's bound lr lambda_min / 2N, a title of 100 characters";
        int width = Charts.vsDepth(title, "y", List.of(line()), false).image().getWidth();
        assertEquals(Charts.widthFor(title.length() + 36), width);
        assertTrue(width >= 9.2 * (title.length() + 36), "every character of the title and its suffix has room: " + width);
    }
}
