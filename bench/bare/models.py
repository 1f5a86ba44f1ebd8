from django.db import models

TABLE = "bench_bare_hit"


class Hit(models.Model):
    """One row per request; the table is made by bench_http (no migrations for a benchmark)."""

    user_id = models.BigIntegerField()
    path = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = TABLE

    def __str__(self):
        return f"{self.user_id} {self.path}"
