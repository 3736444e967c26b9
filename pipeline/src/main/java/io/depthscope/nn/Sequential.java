package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Modules applied one after another, as {@code nn.Sequential}. Its parameters are its children's in order; each
 * pass hands every child its own slice of the parameter, direction and output views.
 */
public final class Sequential implements Module {
    private final List<Module> modules;
    private final int[] paramStart;
    private final boolean block;

    public Sequential(List<Module> modules) {
        this(modules, false);
    }

    private Sequential(List<Module> modules, boolean block) {
        this.block = block;
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("a sequential module needs at least one module");
        }
        for (int i = 1; i < modules.size(); i++) {
            if (!Arrays.equals(modules.get(i - 1).outputShape(), modules.get(i).inputShape())) {
                throw new IllegalArgumentException("module " + i + " expects input " + Arrays.toString(modules.get(i).inputShape())
                        + " but module " + (i - 1) + " gives " + Arrays.toString(modules.get(i - 1).outputShape()));
            }
        }
        this.modules = List.copyOf(modules);
        paramStart = new int[modules.size() + 1];
        for (int i = 0; i < modules.size(); i++) {
            paramStart[i + 1] = paramStart[i] + modules.get(i).params().size();
        }
    }

    public static Sequential of(Module... modules) {
        return new Sequential(List.of(modules));
    }

    /** A sequence whose output is a hidden representation, as a residual block's is: a block without its skip. */
    public static Sequential block(List<Module> modules) {
        return new Sequential(modules, true);
    }

    @Override
    public boolean endsLayer() {
        return block;
    }

    @Override
    public long[] inputShape() {
        return modules.get(0).inputShape();
    }

    @Override
    public long[] outputShape() {
        return modules.get(modules.size() - 1).outputShape();
    }

    @Override
    public List<ParamShape> params() {
        List<ParamShape> all = new ArrayList<>();
        for (Module m : modules) {
            all.addAll(m.params());
        }
        return all;
    }

    @Override
    public List<ParamShape> buffers() {
        List<ParamShape> all = new ArrayList<>();
        for (Module m : modules) {
            all.addAll(m.buffers());
        }
        return all;
    }

    @Override
    public List<Module> children() {
        return modules;
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return bind(batchSize, dtype, mode, buffers, Scratch.shared(dtype));
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers, Scratch scratch) {
        ModulePass[] passes = new ModulePass[modules.size()];
        int b = 0;
        for (int i = 0; i < passes.length; i++) {
            int count = modules.get(i).buffers().size();
            passes[i] = modules.get(i).bind(batchSize, dtype, mode,
                    new BufferViews(Arrays.copyOfRange(buffers.views(), b, b + count)), scratch);
            b += count;
        }
        return new Pass(passes);
    }

    /** Child i's slice of a module's parameter views. */
    INDArray[] slice(INDArray[] views, int i) {
        if (views == null) {
            return null;
        }
        return paramStart[i] == 0 && paramStart[i + 1] == views.length ? views : Arrays.copyOfRange(views, paramStart[i], paramStart[i + 1]);
    }

    INDArray[][] slice(INDArray[][] block, int i) {
        if (block == null) {
            return null;
        }
        INDArray[][] out = new INDArray[block.length][];
        for (int j = 0; j < block.length; j++) {
            out[j] = slice(block[j], i);
        }
        return out;
    }

    private final class Pass implements ModulePass {
        private final ModulePass[] passes;

        Pass(ModulePass[] passes) {
            this.passes = passes;
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            INDArray a = in;
            for (int i = 0; i < passes.length; i++) {
                a = passes[i].forward(a, slice(w, i));
            }
            return a;
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            INDArray d = gradOut;
            for (int i = passes.length - 1; i >= 0; i--) {
                d = passes[i].backward(d, slice(w, i), slice(g, i), i > 0 || needInputGradient);
            }
            return d;
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            INDArray r = rIn;
            for (int i = 0; i < passes.length; i++) {
                r = passes[i].rForward(r, slice(w, i), slice(v, i));
            }
            return r;
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            INDArray d = rGradOut;
            for (int i = passes.length - 1; i >= 0; i--) {
                d = passes[i].rBackward(d, slice(w, i), slice(v, i), slice(g, i), i > 0 || needInputGradient);
            }
            return d;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            INDArray d = gradOut;
            for (int i = passes.length - 1; i >= 0; i--) {
                d = passes[i].transposedJacobian(d, slice(w, i), slice(g, i), i > 0 || needInputGradient);
            }
            return d;
        }

        @Override
        public void updateRunningStatistics() {
            for (ModulePass p : passes) {
                p.updateRunningStatistics();
            }
        }

        @Override
        public INDArray activationOutput() {
            for (int i = passes.length - 1; i >= 0; i--) {
                INDArray a = passes[i].activationOutput();
                if (a != null) {
                    return a;
                }
            }
            return null;
        }

        @Override
        public List<LinearActivity> linearActivity() {
            List<LinearActivity> all = new ArrayList<>();
            for (ModulePass p : passes) {
                all.addAll(p.linearActivity());
            }
            return all;
        }

        @Override
        public List<LinearActivity> pullbackActivity() {
            List<LinearActivity> all = new ArrayList<>();
            for (ModulePass p : passes) {
                all.addAll(p.pullbackActivity());
            }
            return all;
        }
    }
}
