package io.depthscope.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The executors' malloc tunables: huge pages added to whatever the driver has, an explicit choice kept. */
class SparkSessionsTest {
    @Test
    void hugePagesAreAddedUnlessChosen() {
        assertEquals("glibc.malloc.hugetlb=1", SparkSessions.withHugePages(null));
        assertEquals("glibc.malloc.hugetlb=1", SparkSessions.withHugePages(" "));
        assertEquals("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", SparkSessions.withHugePages("glibc.malloc.arena_max=2"));
        assertEquals("glibc.malloc.hugetlb=0", SparkSessions.withHugePages("glibc.malloc.hugetlb=0"));
        assertEquals("glibc.malloc.hugetlb=2:glibc.malloc.arena_max=2",
                SparkSessions.withHugePages("glibc.malloc.hugetlb=2:glibc.malloc.arena_max=2"));
    }
}
