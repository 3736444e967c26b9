import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts rapaio-jupyter-kernel 3.0.1 as its MainApp does, less one race. Channels.connect binds the shell
 * socket, whose thread starts reading at once, before it creates its message-handler map; Jupyter queues
 * kernel_info requests while the kernel starts (JShell takes seconds), they arrive the moment the socket
 * is bound, and one that comes before the map exists kills the shell thread with a NullPointerException:
 * the kernel never answers (about one start in four here). An empty map set beforehand makes such early
 * requests "unhandled" instead, and Jupyter repeats them every second until one is answered.
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
        Field handlers = Channels.class.getDeclaredField("handlers");
        handlers.setAccessible(true);
        handlers.set(channels, new ConcurrentHashMap<>());
        channels.connect(kernel);
        channels.joinUntilClose();
    }
}
