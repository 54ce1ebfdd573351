"""A user who comes under the second-factor policy while logged in is logged out everywhere,
so the next login asks for the second factor (the middleware trusts the session's marker)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from ..conf import app_settings
from ..core import api_tokens
from ..core.sessions import end_user_sessions

FLAGS = ("is_staff", "is_superuser", "is_active")


def _is_user(sender):
    return sender is get_user_model()


@receiver(pre_save, dispatch_uid="secure_shopadmin.twofactor.remember_flags")
def remember_flags(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        return  # e.g. last_login at every login: no extra query
    if _is_user(sender) and instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).values(*FLAGS).first()
        instance._ssa_old_flags = old


@receiver(post_save, dispatch_uid="secure_shopadmin.twofactor.policy_change")
def end_sessions_on_policy_change(sender, instance, created, **kwargs):
    old = getattr(instance, "_ssa_old_flags", None)
    if created or not _is_user(sender) or old is None:
        return
    promoted = any(not old[flag] and getattr(instance, flag) for flag in ("is_staff", "is_superuser"))
    if promoted or (old["is_active"] and not instance.is_active):
        end_user_sessions(instance)
        api_tokens.revoke_all([instance.pk])  # a token obtained on the password alone must not outlive it


@receiver(m2m_changed, dispatch_uid="secure_shopadmin.twofactor.group_policy_change")
def end_sessions_on_group_change(sender, instance, action, pk_set=None, **kwargs):
    policy_groups = set(app_settings.TWO_FACTOR_POLICY.get("groups", ()))
    if action != "post_add" or not policy_groups or not _is_user(type(instance)):
        return
    if Group.objects.filter(pk__in=pk_set or (), name__in=policy_groups).exists():
        end_user_sessions(instance)
        api_tokens.revoke_all([instance.pk])
