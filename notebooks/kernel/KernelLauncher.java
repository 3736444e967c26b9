import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.channels.LoopThread;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts rapaio-jupyter-kernel 3.0.1 as its MainApp does, less two start-up races (both still in 3.0.4).
 *
 * 1. LoopThread.start() calls Thread.start() before it sets its `running` flag, and run() loops
 *    `while (running)`: a thread scheduled at once sees false and ends. The shell, control and heartbeat
 *    channels each poll in one such thread. A dead shell thread means the kernel never answers
 *    ("Kernel didn't respond"); with all three dead, main's join returns and the JVM exits ("Kernel died
 *    before replying to kernel_info"). With two busy CPUs and two notebooks at once, 15 of 80 starts
 *    failed before this fix and 0 of 100 after it. Each channel's thread is therefore stopped, joined,
 *    and replaced by a LoopThread with the same body whose flag is set before it starts.
 * 2. Channels.connect binds the shell socket before it creates its message-handler map; a kernel_info
 *    request that Jupyter queued during JShell's start arrives at once, and one read before the map
 *    exists kills the shell thread with a NullPointerException. An empty map set beforehand makes such
 *    requests "unhandled" instead, and Jupyter repeats them every second until one is answered.
 *
 * Run as a single-file program with the kernel jar as class path: kernel.json does that.
 */
public class KernelLauncher {
    public static void main(String[] args) throws Exception {
        // MainApp's static initialiser builds the kernel: JShell, RJK_CLASSPATH, RJK_INIT_SCRIPT.
        var kernel = MainApp.kernel;
        // MainApp would now reset java.util.logging to its logging.properties (root at FINEST, under which
        // Spark's code generator fails); left at the JVM's default (INFO) instead.
        ConnectionProperties connection = Transform.fromJson(Files.readString(Path.of(args[0])), ConnectionProperties.class);
        Channels channels = new Channels(connection);
        field(Channels.class, "handlers").set(channels, new ConcurrentHashMap<>());
        channels.connect(kernel);
        for (String name : List.of("heartbeat", "shell", "control")) {
            restartLoop(field(Channels.class, name).get(channels));
        }
        channels.joinUntilClose();
    }

    /** Replaces a channel's loop thread (dead or alive) by one that cannot miss its own start. */
    static void restartLoop(Object channel) throws Exception {
        Field loopField = field(channel.getClass(), "loopThread");
        LoopThread old = (LoopThread) loopField.get(channel);
        old.shutdown();
        // After the join the old thread no longer touches the channel's socket, which the new one takes over.
        old.join();
        LoopThread fresh = new LoopThread(old.getName(), (long) field(LoopThread.class, "sleep").get(old),
                (Runnable) field(LoopThread.class, "loopBody").get(old));
        field(LoopThread.class, "running").set(fresh, true);
        loopField.set(channel, fresh);
        fresh.start();
    }

    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
