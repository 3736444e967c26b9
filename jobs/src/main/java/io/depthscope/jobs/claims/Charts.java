package io.depthscope.jobs.claims;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts of means across seeds, each line inside its shaded 95% interval, as PNG {@link Figure}s.
 * On a logarithmic y axis a lower edge at or below 0 cannot be drawn: it is drawn at half the smallest
 * mean instead, and the title says so.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Charts() {}

    /** A metric against depth, one line per series, with markers at the measured depths. */
    public static Figure vsDepth(String title, String yLabel, List<Series> series, boolean logY) {
        return lines(title, "depth (hidden layers)", yLabel, series, logY, true);
    }

    /** A metric against optimiser step, one line per series. */
    public static Figure vsStep(String title, String yLabel, List<Series> series, boolean logY) {
        return lines(title, "step", yLabel, series, logY, false);
    }

    static Figure lines(String title, String xLabel, String yLabel, List<Series> series, boolean logY, boolean markers) {
        double floor = logY ? logFloor(title, series) : 0;
        boolean clipped = false;
        // the suffix is at most 36 characters; the title is one line, so the chart is as wide as it needs
        XYChart chart = new XYChartBuilder().width(widthFor(title.length() + 36)).height(440).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        XYStyler style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setLegendPosition(LegendPosition.OutsideE);
        style.setYAxisLogarithmic(logY);
        style.setMarkerSize(6);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color color = PALETTE[i % PALETTE.length];
            clipped |= addBand(chart, s, color, floor);
            XYSeries line = chart.addSeries(s.name(), s.xs(), s.means());
            line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            line.setLineColor(color);
            line.setMarkerColor(color);
            line.setLineStyle(new BasicStroke(2f));
            line.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        chart.setTitle(title + (clipped ? " (95% CI bands; edges <= 0 clipped)" : " (95% CI bands)"));
        String caption = title + ": means across seeds, bands 95% t intervals"
                + (clipped ? "; lower edges at or below 0 drawn at half the smallest mean" : "");
        try {
            return new Figure(caption, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One point per claim, its effect with its 95% interval as an error bar, at x = 1, 2, ... in the claims' order, each a series of its
     * own so the legend names it; a dashed line at 0. For effects signed so that a claim predicts a positive value.
     */
    public static Figure forest(String title, String yLabel, List<Claim> claims, List<String> names) {
        XYChart chart = new XYChartBuilder().width(760).height(440).xAxisTitle("explanation").yAxisTitle(yLabel).build();
        XYStyler style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setLegendPosition(LegendPosition.OutsideS);
        style.setMarkerSize(9);
        style.setErrorBarsColorSeriesColor(true);
        style.setXAxisMin(0.5);
        style.setXAxisMax(claims.size() + 0.5);
        // ticks at the explanations' numbers only
        style.setXAxisDecimalPattern("0");
        style.setXAxisTickMarkSpacingHint(Math.max(40, 600 / Math.max(1, claims.size())));
        XYSeries zero = chart.addSeries("0", new double[] {0.5, claims.size() + 0.5}, new double[] {0, 0});
        zero.setLineColor(Color.GRAY);
        zero.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        zero.setMarker(SeriesMarkers.NONE);
        zero.setShowInLegend(false);
        for (int i = 0; i < claims.size(); i++) {
            Effect e = claims.get(i).effect();
            if (!e.defined()) {
                continue;
            }
            XYSeries p = chart.addSeries((i + 1) + ": " + names.get(i) + " (" + claims.get(i).verdict().label().toLowerCase(java.util.Locale.ROOT)
                    + ")", new double[] {i + 1}, new double[] {e.estimate()}, new double[] {e.high() - e.estimate()});
            p.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            p.setMarkerColor(PALETTE[i % PALETTE.length]);
            p.setLineColor(PALETTE[i % PALETTE.length]);
            p.setMarker(SeriesMarkers.CIRCLE);
        }
        chart.setTitle(title);
        try {
            return new Figure(title + ": means across seeds with 95% t intervals", BitmapEncoder.getBitmapBytes(chart,
                    BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The band as one closed polygon: upper edge left to right, lower edge back; true when an edge was clipped. */
    private static boolean addBand(XYChart chart, Series s, Color color, double floor) {
        List<Series.Point> pts = s.points();
        int n = pts.size();
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        boolean clipped = false;
        for (int i = 0; i < n; i++) {
            Interval iv = pts.get(i).y();
            double hi = iv.bounded() ? iv.high() : iv.mean();
            double lo = iv.bounded() ? iv.low() : iv.mean();
            if (lo <= 0 && floor > 0) {
                lo = floor;
                clipped = true;
            }
            x[i] = pts.get(i).x();
            y[i] = hi;
            x[2 * n - 1 - i] = pts.get(i).x();
            y[2 * n - 1 - i] = lo;
        }
        XYSeries band = chart.addSeries(s.name() + " 95% CI", x, y);
        band.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 50));
        band.setLineColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 90));
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
        return clipped;
    }

    /**
     * A chart's width in pixels: 760, or wider when its one-line title of {@code titleLength} characters would not fit (XChart
     * centres a title and cuts it at both edges; the default title font takes up to about 9.2 pixels a character).
     */
    static int widthFor(int titleLength) {
        return Math.max(760, (int) Math.ceil(9.5 * titleLength) + 40);
    }

    private static double logFloor(String title, List<Series> series) {
        double min = Double.POSITIVE_INFINITY;
        for (Series s : series) {
            for (Series.Point p : s.points()) {
                double m = p.y().mean();
                if (!(m > 0)) {
                    throw new IllegalArgumentException("figure '" + title + "': series " + s.name() + " has mean " + m + " at x = "
                            + p.x() + "; allowed on a logarithmic axis: values > 0");
                }
                min = Math.min(min, m);
            }
        }
        return min / 2;
    }
}
