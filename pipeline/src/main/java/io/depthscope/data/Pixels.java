package io.depthscope.data;

/**
 * Images as unsigned bytes, {@code d} per image in file order, with their class labels. Features are
 * pixel / 255 in [0, 1]; they become doubles only for the rows a dataset keeps.
 */
record Pixels(byte[] bytes, int n, int d, int[] labels, int classes) implements Examples {
    @Override
    public int size() {
        return n;
    }

    @Override
    public Split select(int[] rows) {
        double[] x = new double[rows.length * d];
        int[] ls = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int from = rows[i] * d;
            int to = i * d;
            for (int j = 0; j < d; j++) {
                x[to + j] = (bytes[from + j] & 0xFF) / 255.0;
            }
            ls[i] = labels[rows[i]];
        }
        return Split.classification(x, rows.length, d, ls, classes);
    }
}
