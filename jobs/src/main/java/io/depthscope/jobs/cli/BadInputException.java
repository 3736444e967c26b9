package io.depthscope.jobs.cli;


/** Input the user can fix: the message names the field or key, the value and what is allowed. */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
