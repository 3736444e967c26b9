package io.depthscope.train;

import io.depthscope.nn.Landscape;
import io.depthscope.probe.Lanczos;
import io.depthscope.probe.SymmetricOperator;
import io.depthscope.probe.TopEigenvalues;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Seeds;
import java.util.Locale;

/**
 * A run's learning rate from its curvature at initialisation, eta = c / lambda_max(H_0) (optimizer.curvature_lr = c), so that
 * networks of different curvature take steps of the same size relative to it: gradient descent on a quadratic is stable for
 * eta &lt; 2 / lambda_max, and a deeper network that trains worse at a fixed eta may only be one for which that eta is too
 * large or too small.
 *
 * <p>lambda_max is the largest Ritz value of one Lanczos run on the run's fixed Hessian batch (hessian.examples, mode and
 * chunk: by default the whole training set, the loss full-batch gradient descent minimises), of hessian.lanczos_steps steps
 * from the stream (seed, "hessian-lanczos", 0): the Lanczos run that hessian_top_eigenvalues records at step 0, so the two
 * agree to the last digit, and the value is reproducible from the seed.
 *
 * @param lambdaMax     the largest Ritz value of H_0
 * @param residualBound an eigenvalue of H_0 lies within this of lambdaMax
 * @param learningRate  c / lambdaMax, or NaN when lambdaMax is not a positive finite number
 */
public record CurvatureLr(double c, double lambdaMax, double residualBound, double learningRate) {

    /** Measures lambda_max(H_0) on {@code hessian} (the run's Hessian batch at the initial parameters). */
    public static CurvatureLr measure(RunSpec spec, Landscape hessian) {
        double c = spec.optimizer().curvatureLr();
        int steps = (int) Math.min(spec.hessian().lanczosSteps(), hessian.paramCount());
        // the study's eigenvalue run at step 0 (fully reorthogonalised: HessianWork), so lr_lambda_max is its value to the last digit
        TopEigenvalues top = Lanczos.run(SymmetricOperator.hessian(hessian), steps, Seeds.derive(spec.seed(), "hessian-lanczos", 0), false).top(1);
        return of(c, top.lambdaMax(), top.largestResidualBounds()[0]);
    }

    static CurvatureLr of(double c, double lambdaMax, double residualBound) {
        double eta = lambdaMax > 0 && Double.isFinite(lambdaMax) ? c / lambdaMax : Double.NaN;
        return new CurvatureLr(c, lambdaMax, residualBound, eta);
    }

    /** Whether eta is a learning rate: no positive curvature at initialisation (lambda_max &lt;= 0, NaN) gives none. */
    public boolean usable() {
        return learningRate > 0 && Double.isFinite(learningRate);
    }

    /** Why a run with no usable eta is recorded as failed without training (one line, naming the field). */
    public String refusal() {
        return String.format(Locale.ROOT, "optimizer.curvature_lr: lambda_max(H_0) = %s on the Hessian batch, so curvature_lr / lambda_max"
                + " = %s / %s is no learning rate (allowed: lambda_max > 0); the run was not trained", lambdaMax, c, lambdaMax);
    }
}
