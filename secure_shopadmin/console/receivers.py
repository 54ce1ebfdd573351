"""Noticing privilege grants on the user model, wherever they are made (admin, shell, command)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from . import privileges

OLD_ATTR = "_ssa_privileges_before"


def _is_user_model(model):
    return model is get_user_model()


@receiver(pre_save, dispatch_uid="secure_shopadmin.console.privileges_before")
def remember_privileges(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or not _is_user_model(sender) or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(privileges.FLAGS):
        return  # e.g. last_login at every login: no query
    setattr(instance, OLD_ATTR, sender._default_manager.filter(pk=instance.pk).values(*privileges.FLAGS).first())


@receiver(post_save, dispatch_uid="secure_shopadmin.console.privileges_granted")
def tell_flag_grants(sender, instance, created=False, raw=False, **kwargs):
    if raw or not _is_user_model(sender):
        return
    old = {} if created else getattr(instance, OLD_ATTR, None)
    if old is None:
        return
    granted = [flag for flag in privileges.FLAGS if getattr(instance, flag, False) and not old.get(flag, False)]
    setattr(instance, OLD_ATTR, None)
    if granted:
        privileges.grant(instance, granted)


@receiver(m2m_changed, dispatch_uid="secure_shopadmin.console.group_granted")
def tell_group_grants(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action != "post_add" or not pk_set or sender is not get_user_model().groups.through:
        return
    if not reverse:
        names = privileges.admin_groups(pk_set)
        if names:
            privileges.grant(instance, [f"group:{name}" for name in names])
        return
    names = privileges.admin_groups([instance.pk])  # group.user_set.add(…): instance is the group
    if names:
        for user in get_user_model()._default_manager.filter(pk__in=pk_set):
            privileges.grant(user, [f"group:{names[0]}"])
