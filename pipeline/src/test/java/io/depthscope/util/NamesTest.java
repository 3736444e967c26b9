package io.depthscope.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void snakeCaseOfTheComponentNames() {
        assertEquals("n_train", Names.snake("nTrain"));
        assertEquals("weight_gradient_norm", Names.snake("weightGradientNorm"));
        assertEquals("lr_lambda_max", Names.snake("lrLambdaMax"));
        assertEquals("m2", Names.snake("m2"));
        assertEquals("top_k", Names.snake("topK"));
        assertEquals("x2_y", Names.snake("x2Y"));
        assertEquals("abc", Names.snake("ABC"));
    }

    /** The loop gives what the regular expression it replaced gave, on random mixes of the characters that matter. */
    @Test
    void snakeAgreesWithTheRegularExpressionOnRandomNames() {
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "abzAZ09_x";
        for (int t = 0; t < 20_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(8); i > 0; i--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = b.toString();
            assertEquals(s.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT), Names.snake(s), s);
        }
    }
}
